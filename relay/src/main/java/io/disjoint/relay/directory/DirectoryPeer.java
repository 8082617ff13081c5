package io.disjoint.relay.directory;

import java.util.Objects;

/**
 * One peer serving one chain, as the router sees it.
 *
 * @param peerId libp2p peer id text of the serving node
 * @param domain its failure-domain claim (declared level until adverts carry evidence)
 * @param head its latest head for the chain
 */
public record DirectoryPeer(String peerId, FailureDomain domain, ChainHead head) {
  public DirectoryPeer {
    Objects.requireNonNull(peerId, "peerId");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(head, "head");
  }
}
