package io.disjoint.relay.gateway;

import io.disjoint.relay.policy.MethodTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The chains a gateway accepts at {@code POST /<chain>}: the configured ones (with their aliases)
 * from the start, and chains learned later from peers' hellos ({@link #accept}). Chains are only
 * ever added, never removed, so a path that worked keeps resolving (a chain without peers answers
 * with a JSON-RPC error, not a 404). Readers see an immutable snapshot without locking; additions
 * are serialised.
 */
final class GatewayChains {
  /**
   * Learned chains at most: each learned chain is a metric tag value and a path, and peers choose
   * their names, so their number must be bounded.
   */
  static final int MAX_LEARNED = 64;
  private static final Pattern CAIP2 = Pattern.compile("[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}");

  private record Snapshot(Map<String, ChainEndpoint> byPath, List<ChainEndpoint> chains) {}

  private final String methodProfile;
  private final String clientVersion;
  private final Map<String, MethodTable> tables = new ConcurrentHashMap<>();
  private volatile Snapshot snapshot;
  private int learned;

  GatewayChains(GatewayConfig config) {
    this.methodProfile = config.methodProfile();
    this.clientVersion = config.clientVersion();
    Map<String, ChainEndpoint> byPath = new HashMap<>();
    List<ChainEndpoint> chains = new ArrayList<>();
    for (String chainId : config.chains()) {
      List<String> aliases = new ArrayList<>();
      config.aliases().forEach((alias, target) -> {
        if (target.equals(chainId)) {
          aliases.add(alias);
        }
      });
      aliases.sort(null);
      ChainEndpoint endpoint = new ChainEndpoint(chainId, aliases, table(chainId), clientVersion);
      chains.add(endpoint);
      byPath.put(chainId, endpoint);
      aliases.forEach(alias -> byPath.put(alias, endpoint));
    }
    snapshot = new Snapshot(Map.copyOf(byPath), List.copyOf(chains));
  }

  private MethodTable table(String chainId) {
    String family = chainId.substring(0, chainId.indexOf(':'));
    return tables.computeIfAbsent(family, f -> MethodTable.load(f, methodProfile));
  }

  /** The chain at a path (CAIP-2 id or alias), or null. */
  ChainEndpoint resolve(String path) {
    return snapshot.byPath().get(path);
  }

  List<ChainEndpoint> all() {
    return snapshot.chains();
  }

  /**
   * Starts accepting a chain a peer serves. Empty when it was added now or was accepted already;
   * otherwise why it cannot be (not a CAIP-2 id, no method table for its family, too many learned
   * chains) — the peer's claim is at fault, not this gateway.
   */
  synchronized Optional<String> accept(String chainId) {
    Snapshot current = snapshot;
    if (current.byPath().containsKey(chainId)) {
      return current.byPath().get(chainId).chainId().equals(chainId)
          ? Optional.empty()
          : Optional.of("'" + chainId + "' is already an alias of another chain");
    }
    if (!CAIP2.matcher(chainId).matches()) {
      return Optional.of("'" + chainId + "' is not a CAIP-2 chain id");
    }
    if (learned >= MAX_LEARNED) {
      return Optional.of("this gateway already learned " + MAX_LEARNED + " chains from peers");
    }
    ChainEndpoint endpoint;
    try {
      endpoint = new ChainEndpoint(chainId, List.of(), table(chainId), clientVersion);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    Map<String, ChainEndpoint> byPath = new HashMap<>(current.byPath());
    byPath.put(chainId, endpoint);
    List<ChainEndpoint> chains = new ArrayList<>(current.chains());
    chains.add(endpoint);
    learned++;
    snapshot = new Snapshot(Map.copyOf(byPath), List.copyOf(chains));
    return Optional.empty();
  }

  String describe() {
    StringBuilder out = new StringBuilder();
    for (ChainEndpoint chain : snapshot.chains()) {
      if (!out.isEmpty()) {
        out.append(", ");
      }
      out.append(chain.chainId());
      for (String alias : chain.aliases()) {
        out.append(" (/").append(alias).append(')');
      }
    }
    return out.isEmpty() ? "no chain yet" : out.toString();
  }
}
