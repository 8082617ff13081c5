package io.disjoint.relay.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.MethodRule.Routing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The method policy of one chain family, read from data ({@code methods/<family>.json}).
 *
 * <p>Resolution of a method name: an entry under {@code methods} (after the chosen profile's
 * overrides) wins; otherwise a name under one of {@code denyPrefixes} is denied; otherwise a name
 * under one of {@code allowPrefixes} is allowed with {@code defaults} (the upstream answers
 * -32601 itself when it does not know the method); anything else is denied. So a new standard
 * eth_ method works without a table change, while unknown namespaces (a client's test or admin
 * methods) never reach an operator's node.
 */
public final class MethodTable {
  public static final String DEFAULT_PROFILE = "default";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  private static final Set<String> TOP_KEYS =
      Set.of("family", "description", "defaults", "allowPrefixes", "denyPrefixes", "methods",
          "profiles");
  private static final Set<String> RULE_KEYS = Set.of("allowed", "computeUnits", "routing", "quorum", "blockParam");

  private final String family;
  private final String profile;
  private final Map<String, MethodRule> explicit;
  private final List<String> allowPrefixes;
  private final List<String> denyPrefixes;
  private final RuleFields defaults;

  private MethodTable(
      String family,
      String profile,
      Map<String, MethodRule> explicit,
      List<String> allowPrefixes,
      List<String> denyPrefixes,
      RuleFields defaults) {
    this.family = family;
    this.profile = profile;
    this.explicit = Map.copyOf(explicit);
    this.allowPrefixes = List.copyOf(allowPrefixes);
    this.denyPrefixes = List.copyOf(denyPrefixes);
    this.defaults = defaults;
  }

  /** The bundled table of a chain family (the CAIP-2 namespace, e.g. {@code eip155}). */
  public static MethodTable load(String family) {
    return load(family, DEFAULT_PROFILE);
  }

  /** The bundled table with a profile's overrides applied (e.g. {@code strict}). */
  public static MethodTable load(String family, String profile) {
    if (!NAME.matcher(family).matches()) {
      throw new IllegalArgumentException("chain family '" + family + "' is not a CAIP-2 namespace");
    }
    String resource = "/methods/" + family + ".json";
    try (InputStream in = MethodTable.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no method table for chain family '" + family + "'");
      }
      return parse(in, profile, resource);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  /** A table from any source (an operator's own file); {@code source} names it in errors. */
  public static MethodTable parse(InputStream json, String profile, String source)
      throws IOException {
    Objects.requireNonNull(profile, "profile");
    JsonNode root = JsonRpcMapper.SHARED.readTree(json);
    if (root == null || !root.isObject()) {
      throw invalid(source, "", "must be a JSON object");
    }
    checkKeys(source, "", root, TOP_KEYS);
    String family = text(source, "family", root.get("family"));
    RuleFields defaults =
        RuleFields.read(source, "defaults", root.get("defaults"), RuleFields.BUILT_IN);
    Map<String, JsonNode> entries = new HashMap<>();
    JsonNode methods = root.get("methods");
    if (methods != null) {
      fields(source, "methods", methods).forEachRemaining(e -> entries.put(e.getKey(), e.getValue()));
    }
    Map<String, JsonNode> overrides = new HashMap<>();
    if (!DEFAULT_PROFILE.equals(profile)) {
      JsonNode chosen = root.path("profiles").path(profile);
      if (!chosen.isObject()) {
        throw invalid(source, "profiles", "has no profile '" + profile + "'");
      }
      JsonNode methodOverrides = chosen.get("methods");
      if (methodOverrides != null) {
        fields(source, "profiles." + profile + ".methods", methodOverrides)
            .forEachRemaining(e -> overrides.put(e.getKey(), e.getValue()));
      }
    }
    Map<String, MethodRule> explicit = new HashMap<>();
    for (String method : union(entries.keySet(), overrides.keySet())) {
      RuleFields base =
          RuleFields.read(source, "methods." + method, entries.get(method), defaults);
      RuleFields merged =
          RuleFields.read(
              source, "profiles." + profile + ".methods." + method, overrides.get(method), base);
      explicit.put(method, merged.toRule(method));
    }
    return new MethodTable(
        family,
        profile,
        explicit,
        strings(source, "allowPrefixes", root.get("allowPrefixes")),
        strings(source, "denyPrefixes", root.get("denyPrefixes")),
        defaults);
  }

  /** The rule for a method; never null (denied methods have {@code allowed == false}). */
  public MethodRule rule(String method) {
    MethodRule rule = explicit.get(method);
    if (rule != null) {
      return rule;
    }
    for (String prefix : denyPrefixes) {
      if (method.startsWith(prefix)) {
        return defaults.denied().toRule(method);
      }
    }
    for (String prefix : allowPrefixes) {
      if (method.startsWith(prefix)) {
        return defaults.toRule(method);
      }
    }
    return defaults.denied().toRule(method);
  }

  public String family() {
    return family;
  }

  public String profile() {
    return profile;
  }

  /** Methods with an explicit entry (after profile overrides), for documentation and metrics. */
  public Set<String> listedMethods() {
    return explicit.keySet();
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static Iterator<Map.Entry<String, JsonNode>> fields(String source, String key, JsonNode node) {
    if (!node.isObject()) {
      throw invalid(source, key, "must be an object");
    }
    return node.fields();
  }

  private static void checkKeys(String source, String key, JsonNode node, Set<String> allowed) {
    node.fieldNames()
        .forEachRemaining(
            name -> {
              if (!allowed.contains(name)) {
                throw invalid(source, key.isEmpty() ? name : key + "." + name, "is not a known key");
              }
            });
  }

  private static String text(String source, String key, JsonNode node) {
    if (node == null || !node.isTextual()) {
      throw invalid(source, key, "must be a string");
    }
    return node.textValue();
  }

  private static List<String> strings(String source, String key, JsonNode node) {
    if (node == null) {
      return List.of();
    }
    if (!node.isArray()) {
      throw invalid(source, key, "must be an array of strings");
    }
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    for (JsonNode item : node) {
      out.add(text(source, key + "[]", item));
    }
    return out;
  }

  static IllegalArgumentException invalid(String source, String key, String problem) {
    return new IllegalArgumentException(
        "method table " + source + ": " + (key.isEmpty() ? "" : key + " ") + problem);
  }

  /** The fields of a rule before it is bound to a method name. */
  private record RuleFields(boolean allowed, int computeUnits, Routing routing, int quorum, int blockParam) {
    static final RuleFields BUILT_IN = new RuleFields(true, 20, Routing.ANY, 1, MethodRule.NO_BLOCK_PARAM);

    RuleFields denied() {
      return new RuleFields(false, computeUnits, routing, quorum, blockParam);
    }

    MethodRule toRule(String method) {
      return new MethodRule(method, allowed, computeUnits, routing, quorum, blockParam);
    }

    /** Reads an optional rule object whose absent fields come from {@code base}. */
    static RuleFields read(String source, String key, JsonNode node, RuleFields base) {
      if (node == null) {
        return base;
      }
      if (!node.isObject()) {
        throw invalid(source, key, "must be an object");
      }
      checkKeys(source, key, node, RULE_KEYS);
      boolean allowed = base.allowed;
      int computeUnits = base.computeUnits;
      Routing routing = base.routing;
      int quorum = base.quorum;
      int blockParam = base.blockParam;
      if (node.has("allowed")) {
        if (!node.get("allowed").isBoolean()) {
          throw invalid(source, key + ".allowed", "must be true or false");
        }
        allowed = node.get("allowed").booleanValue();
      }
      if (node.has("computeUnits")) {
        computeUnits = nonNegativeInt(source, key + ".computeUnits", node.get("computeUnits"), 0);
      }
      if (node.has("quorum")) {
        quorum = nonNegativeInt(source, key + ".quorum", node.get("quorum"), 1);
      }
      if (node.has("blockParam")) {
        blockParam = nonNegativeInt(source, key + ".blockParam", node.get("blockParam"), 0);
      }
      if (node.has("routing")) {
        String name = text(source, key + ".routing", node.get("routing"));
        try {
          routing = Routing.valueOf(name);
        } catch (IllegalArgumentException e) {
          throw invalid(source, key + ".routing", "must be one of ANY, STICKY, BROADCAST, LOCAL");
        }
      }
      return new RuleFields(allowed, computeUnits, routing, quorum, blockParam);
    }

    private static int nonNegativeInt(String source, String key, JsonNode node, int min) {
      if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < min) {
        throw invalid(source, key, "must be an integer >= " + min);
      }
      return node.intValue();
    }
  }

  @Override
  public String toString() {
    return "MethodTable[" + family + ", profile " + profile + ", " + explicit.size() + " methods]";
  }
}
