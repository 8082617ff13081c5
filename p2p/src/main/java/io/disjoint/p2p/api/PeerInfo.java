package io.disjoint.p2p.api;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.util.List;
import java.util.Set;

/** What Identify learned about a peer. */
public record PeerInfo(
    PeerId peerId,
    List<Multiaddr> listenAddrs,
    Set<String> protocols,
    String protocolVersion,
    String agentVersion) {
  public PeerInfo {
    listenAddrs = List.copyOf(listenAddrs);
    protocols = Set.copyOf(protocols);
  }
}
