package io.disjoint.p2p.api;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Known addresses and protocols of peers. Thread-safe. */
public interface PeerStore {
  void addAddrs(PeerId peer, List<Multiaddr> addrs);

  List<Multiaddr> addrs(PeerId peer);

  Set<String> protocols(PeerId peer);

  Optional<PeerInfo> info(PeerId peer);

  Set<PeerId> peers();
}
