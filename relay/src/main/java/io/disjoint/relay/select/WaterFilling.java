package io.disjoint.relay.select;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Caps the traffic share of any one failure-domain group: groups get shares proportional to their
 * weight, no group more than {@code cap}; what a capped group gives up is poured into the
 * uncapped groups in proportion to their weights, repeatedly, until nothing overflows. When there
 * are too few groups for the cap to be feasible (n * cap < 1), each gets an equal 1/n.
 */
public final class WaterFilling {
  private WaterFilling() {}

  public static <K> Map<K, Double> shares(Map<K, Double> weights, double cap) {
    if (cap <= 0 || cap > 1) {
      throw new IllegalArgumentException("cap must be in (0, 1]");
    }
    Map<K, Double> out = new LinkedHashMap<>();
    int n = 0;
    for (double w : weights.values()) {
      if (w > 0) {
        n++;
      }
    }
    if (n == 0) {
      return out;
    }
    if (n * cap < 1.0) {
      double equal = 1.0 / n;
      weights.forEach((k, w) -> {
        if (w > 0) {
          out.put(k, equal);
        }
      });
      return out;
    }
    Map<K, Double> open = new LinkedHashMap<>();
    weights.forEach((k, w) -> {
      if (w > 0) {
        open.put(k, w);
      }
    });
    double remaining = 1.0;
    while (!open.isEmpty()) {
      double total = open.values().stream().mapToDouble(Double::doubleValue).sum();
      K over = null;
      for (Map.Entry<K, Double> e : open.entrySet()) {
        if (remaining * e.getValue() / total > cap + 1e-12) {
          over = e.getKey();
          break;
        }
      }
      if (over == null) {
        double r = remaining;
        open.forEach((k, w) -> out.put(k, r * w / total));
        break;
      }
      out.put(over, cap);
      open.remove(over);
      remaining -= cap;
    }
    return out;
  }
}
