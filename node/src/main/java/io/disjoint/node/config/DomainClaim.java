package io.disjoint.node.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The failure domain this node declares: hosting provider, region, country, operator and origin
 * ASN. Unset parts are {@link #UNKNOWN}, which selection treats as shared with every other unknown.
 *
 * @param asn origin autonomous system number, 0 when unknown
 */
public record DomainClaim(String provider, String region, String country, String operator, long asn) {
  public static final String UNKNOWN = "unknown";
  private static final Pattern LABEL = Pattern.compile("[a-z0-9][-a-z0-9_.]{0,62}");
  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}|unknown");
  private static final long MAX_ASN = 4_294_967_295L;
  /** Nothing declared: the worst case for diversity. */
  public static final DomainClaim UNDECLARED = new DomainClaim(UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 0);

  public DomainClaim {
    provider = checkLabel("provider", provider);
    region = checkLabel("region", region);
    operator = checkLabel("operator", operator);
    Objects.requireNonNull(country, "country");
    if (!COUNTRY.matcher(country).matches()) {
      throw new IllegalArgumentException("country must be an ISO 3166-1 alpha-2 code such as US, got " + country);
    }
    if (asn < 0 || asn > MAX_ASN) {
      throw new IllegalArgumentException("asn must be 0..4294967295, got " + asn);
    }
  }

  private static String checkLabel(String key, String value) {
    Objects.requireNonNull(value, key);
    if (!LABEL.matcher(value).matches()) {
      throw new IllegalArgumentException(
          key + " must be lower-case letters, digits, '-', '_' or '.', at most 63, got '" + value + "'");
    }
    return value;
  }

  /**
   * Parses {@code provider=aws,region=us-east-1,country=US,operator=op1,asn=16509}; every key is
   * optional, unknown keys and repeated keys are errors naming {@code flag}.
   */
  public static DomainClaim parse(String text, String flag) {
    if (text == null || text.isBlank()) {
      throw new ConfigException(flag + " expects key=value pairs such as provider=aws,region=us-east-1,country=US,operator=op1,asn=16509, got '" + text + "'");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String part : text.split(",", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(flag + " expects key=value pairs separated by commas, got '" + part + "' in '" + text + "'");
      }
      String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = part.substring(eq + 1).trim();
      if (values.put(key, value) != null) {
        throw new ConfigException(flag + " names '" + key + "' twice in '" + text + "'");
      }
    }
    return fromMap(values, flag);
  }

  /** Builds a claim from keys provider, region, country, operator, asn (all optional). */
  public static DomainClaim fromMap(Map<String, String> values, String flag) {
    for (String key : values.keySet()) {
      if (!switch (key) {
        case "provider", "region", "country", "operator", "asn" -> true;
        default -> false;
      }) {
        throw new ConfigException(flag + " has unknown key '" + key + "' (keys: provider, region, country, operator, asn)");
      }
    }
    long asn = 0;
    String asnText = values.get("asn");
    if (asnText != null) {
      String digits = asnText.regionMatches(true, 0, "AS", 0, 2) ? asnText.substring(2) : asnText;
      try {
        asn = Long.parseLong(digits);
      } catch (NumberFormatException e) {
        throw new ConfigException(flag + " asn must be a number such as 16509, got '" + asnText + "'");
      }
    }
    String country = values.getOrDefault("country", UNKNOWN);
    if (!country.equals(UNKNOWN)) {
      country = country.toUpperCase(Locale.ROOT);
    }
    try {
      return new DomainClaim(
          values.getOrDefault("provider", UNKNOWN).toLowerCase(Locale.ROOT),
          values.getOrDefault("region", UNKNOWN).toLowerCase(Locale.ROOT),
          country,
          values.getOrDefault("operator", UNKNOWN).toLowerCase(Locale.ROOT),
          asn);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag + " " + e.getMessage());
    }
  }

  /** The flag form, parseable by {@link #parse}. */
  public String toFlag() {
    return "provider=" + provider + ",region=" + region + ",country=" + country
        + ",operator=" + operator + ",asn=" + asn;
  }

  @Override
  public String toString() {
    return toFlag();
  }
}
