package io.disjoint.relay.route;

/**
 * How one JSON-RPC method is treated, read from the per-chain-family method table (data, not
 * code: relay/src/main/resources/methods/*.json).
 *
 * @param allowed false for denied methods (admin_, debug_, ...)
 * @param computeUnits price weight of one call
 * @param routing how the request is sent to peers
 * @param quorum number of peers in disjoint failure domains that must agree (1 = no quorum)
 * @param blockParam position (0-based) of the block number/tag in {@code params}, or
 *     {@link #NO_BLOCK_PARAM}; a quorum read asking for "latest" (or omitting the block where the
 *     method defaults to latest) is pinned to one concrete block there
 */
public record MethodRule(String method, boolean allowed, int computeUnits, Routing routing, int quorum, int blockParam) {
  public static final int NO_BLOCK_PARAM = -1;

  public enum Routing {
    /** Any fresh peer; hedged and retried across failure domains. */
    ANY,
    /** State lives on one upstream (filters, subscriptions): the same peer for a session. */
    STICKY,
    /** Sent to several disjoint peers at once; first success answers (eth_sendRawTransaction). */
    BROADCAST,
    /** Answered by the gateway itself (eth_chainId, net_version, web3_clientVersion ...). */
    LOCAL
  }

  public MethodRule {
    if (computeUnits < 0) {
      throw new IllegalArgumentException("computeUnits must be >= 0 for " + method);
    }
    if (quorum < 1) {
      throw new IllegalArgumentException("quorum must be >= 1 for " + method);
    }
    if (blockParam < NO_BLOCK_PARAM) {
      throw new IllegalArgumentException("blockParam must be >= 0 (or -1 for none) for " + method);
    }
  }

  /** A rule for a method without a block parameter. */
  public MethodRule(String method, boolean allowed, int computeUnits, Routing routing, int quorum) {
    this(method, allowed, computeUnits, routing, quorum, NO_BLOCK_PARAM);
  }
}
