package io.disjoint.relay.directory;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a node can fail together with others: hosting provider, region, country, operator and
 * origin AS number. A value that is not known is {@link #UNKNOWN_VALUE} (asn 0), and unknown is the
 * worst case: it counts as shared with every other unknown, so unverified peers are never treated
 * as independent of each other.
 */
public record FailureDomain(String provider, String region, String country, String operator, long asn) {
  // Declared first: the UNKNOWN constant below is validated with it during class initialisation.
  private static final Pattern VALUE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  public static final String UNKNOWN_VALUE = "unknown";
  public static final FailureDomain UNKNOWN = new FailureDomain(UNKNOWN_VALUE, UNKNOWN_VALUE, UNKNOWN_VALUE, UNKNOWN_VALUE, 0);
  public static final String FLAG = "--domain";

  /** The dimensions in which two domains can share a cause of failure. */
  public enum Dimension {
    PROVIDER,
    REGION,
    COUNTRY,
    OPERATOR,
    ASN
  }

  public FailureDomain {
    provider = normalise(provider, "provider");
    region = normalise(region, "region");
    country = normalise(country, "country");
    operator = normalise(operator, "operator");
    if (asn < 0 || asn > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(FLAG + ": asn must be 0 (unknown) or 1..4294967295, got " + asn);
    }
  }

  private static String normalise(String value, String key) {
    Objects.requireNonNull(value, key);
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.isEmpty()) {
      return UNKNOWN_VALUE;
    }
    if (!VALUE.matcher(v).matches()) {
      throw new IllegalArgumentException(
          FLAG + ": " + key + " '" + value + "' must be 1-64 characters of a-z, 0-9, '.', '_' or '-'");
    }
    return v;
  }

  /**
   * Parses {@code provider=aws,region=us-east-1,country=US,operator=op1,asn=16509}. Keys may come in
   * any order; missing keys are unknown; unknown keys, repeated keys and bad values are errors
   * naming the {@code --domain} flag.
   */
  public static FailureDomain parse(String text) {
    Objects.requireNonNull(text, "text");
    Map<String, String> kv = new LinkedHashMap<>();
    if (!text.isBlank()) {
      for (String part : text.split(",", -1)) {
        int eq = part.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(FLAG + ": expected key=value, got '" + part.trim() + "'");
        }
        String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = part.substring(eq + 1).trim();
        if (!java.util.Set.of("provider", "region", "country", "operator", "asn").contains(key)) {
          throw new IllegalArgumentException(
              FLAG + ": unknown key '" + key + "' (expected provider, region, country, operator, asn)");
        }
        if (kv.put(key, value) != null) {
          throw new IllegalArgumentException(FLAG + ": key '" + key + "' given twice");
        }
      }
    }
    long asn = 0;
    String asnText = kv.getOrDefault("asn", "");
    if (!asnText.isEmpty() && !asnText.equalsIgnoreCase(UNKNOWN_VALUE)) {
      String digits = asnText.toUpperCase(Locale.ROOT).startsWith("AS") ? asnText.substring(2) : asnText;
      try {
        asn = Long.parseLong(digits);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(FLAG + ": asn '" + asnText + "' is not a number");
      }
      if (asn <= 0) {
        throw new IllegalArgumentException(FLAG + ": asn must be 1..4294967295, got " + asnText);
      }
    }
    String country = kv.getOrDefault("country", "");
    if (!country.isEmpty() && !country.equalsIgnoreCase(UNKNOWN_VALUE) && !country.matches("[A-Za-z]{2}")) {
      throw new IllegalArgumentException(FLAG + ": country '" + country + "' must be an ISO 3166-1 alpha-2 code");
    }
    return new FailureDomain(
        kv.getOrDefault("provider", ""), kv.getOrDefault("region", ""), country, kv.getOrDefault("operator", ""), asn);
  }

  public String value(Dimension d) {
    return switch (d) {
      case PROVIDER -> provider;
      case REGION -> region;
      case COUNTRY -> country;
      case OPERATOR -> operator;
      case ASN -> asn == 0 ? UNKNOWN_VALUE : Long.toString(asn);
    };
  }

  /**
   * Whether this and {@code other} may fail together in dimension {@code d}: the same value, or
   * both unknown (unknown is shared with every other unknown).
   */
  public boolean shares(FailureDomain other, Dimension d) {
    return value(d).equals(other.value(d));
  }

  /**
   * Whether the two domains count as one for diversity: the same hosting provider (an unknown
   * provider is shared with every other unknown — the worst case), or the same origin AS number
   * when both are known (a reseller on another provider's network fails with it). An unknown ASN
   * alone does not correlate two peers whose providers are known and differ.
   */
  public boolean correlatedWith(FailureDomain other) {
    return shares(other, Dimension.PROVIDER) || (asn != 0 && asn == other.asn);
  }

  /** How many dimensions the two domains do not share: 0 = same domain, 5 = fully disjoint. */
  public int distance(FailureDomain other) {
    int n = 0;
    for (Dimension d : Dimension.values()) {
      if (!shares(other, d)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "provider=" + provider + ",region=" + region + ",country=" + country.toUpperCase(Locale.ROOT)
        + ",operator=" + operator + ",asn=" + (asn == 0 ? UNKNOWN_VALUE : Long.toString(asn));
  }
}
