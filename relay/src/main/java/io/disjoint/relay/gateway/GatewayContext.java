package io.disjoint.relay.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What every connection of one gateway shares: immutable after construction, thread-safe. */
record GatewayContext(
    GatewayConfig config,
    Map<String, ChainEndpoint> byPath,
    List<ChainEndpoint> chains,
    RpcDispatcher dispatcher,
    CorsPolicy cors,
    RoutablePeerCount peerCount,
    WebSocketSessions sessions) {

  GatewayContext {
    byPath = Map.copyOf(new LinkedHashMap<>(byPath));
    chains = List.copyOf(chains);
  }

  /** The chain at a path (CAIP-2 id or alias), or null. */
  ChainEndpoint resolve(String path) {
    return byPath.get(path);
  }

  String chainList() {
    StringBuilder out = new StringBuilder();
    for (ChainEndpoint chain : chains) {
      if (!out.isEmpty()) {
        out.append(", ");
      }
      out.append(chain.chainId());
      for (String alias : chain.aliases()) {
        out.append(" (/").append(alias).append(')');
      }
    }
    return out.toString();
  }
}
