package io.disjoint.relay.directory;

import java.util.List;
import java.util.Optional;

/**
 * Which peers serve which chains, in which failure domain, at which head. Fed today by signed
 * hellos and static configuration; attested adverts implement the same interface later.
 * Thread-safe.
 */
public interface PeerDirectory {
  /** Peers currently serving the chain (connected or configured), in no particular order. */
  List<DirectoryPeer> peersServing(String chain);

  /** The failure domain of a known peer. */
  Optional<FailureDomain> domainOf(String peerId);

  /** Records a head a peer reported in a relay response (newer observations win). */
  void observeHead(String peerId, String chain, long headNumber);
}
