package io.disjoint.relay.select;

import io.disjoint.relay.directory.DirectoryPeer;
import io.disjoint.relay.directory.FailureDomain;

/**
 * A peer the router may send a request to.
 *
 * @param score reputation in (0, 1]: success rate, latency and freshness combined
 * @param probation the peer recently failed; it gets only a small share of traffic
 * @param tripped its breaker (or its domain's) is open; used only when nothing else is left
 * @param lagBlocks how far its head is behind the estimated tip (0 when unknown)
 */
public record Candidate(DirectoryPeer peer, double score, boolean probation, boolean tripped, long lagBlocks) {
  public String peerId() {
    return peer.peerId();
  }

  public FailureDomain domain() {
    return peer.domain();
  }
}
