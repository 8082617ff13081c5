package io.disjoint.relay.select;

import java.util.Collection;
import java.util.OptionalLong;

/**
 * The chain tip as the peers report it, robust to liars: the median of the reported heads, raised
 * to the highest report within {@code maxAheadOfMedian} of it. A minority reporting absurd heights
 * moves neither the median nor the tip, so it cannot make honest peers look stale.
 */
public final class TipEstimator {
  private TipEstimator() {}

  public static OptionalLong tip(Collection<Long> heads, long maxAheadOfMedian) {
    long[] sorted = heads.stream().mapToLong(Long::longValue).filter(h -> h >= 0).sorted().toArray();
    if (sorted.length == 0) {
      return OptionalLong.empty();
    }
    // Lower median: with two reports, trusting the lower one keeps a single liar from winning.
    long median = sorted[(sorted.length - 1) / 2];
    long tip = median;
    for (long h : sorted) {
      if (h <= median + maxAheadOfMedian) {
        tip = Math.max(tip, h);
      }
    }
    return OptionalLong.of(tip);
  }
}
