package io.disjoint.relay.gateway;

import java.util.List;

/**
 * What every connection of one gateway shares, thread-safe: the chains may grow while the
 * gateway runs (chains learned from peers), everything else is fixed at construction.
 */
record GatewayContext(
    GatewayConfig config,
    GatewayChains chainRegistry,
    RpcDispatcher dispatcher,
    CorsPolicy cors,
    RoutablePeerCount peerCount,
    WebSocketSessions sessions) {

  /** The chain at a path (CAIP-2 id or alias), or null. */
  ChainEndpoint resolve(String path) {
    return chainRegistry.resolve(path);
  }

  /** The chains accepted now, configured first, then learned ones in the order learned. */
  List<ChainEndpoint> chains() {
    return chainRegistry.all();
  }

  String chainList() {
    return chainRegistry.describe();
  }
}
