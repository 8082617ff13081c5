package io.disjoint.p2p.host;

import io.disjoint.p2p.api.PeerInfo;
import io.disjoint.p2p.api.PeerStore;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Peer store in memory. Addresses and protocols per peer are capped so that a peer cannot grow it
 * without bound through Identify, and so is the number of peers (new peers are not recorded once
 * it is full).
 */
public final class InMemoryPeerStore implements PeerStore {
  static final int MAX_ADDRS_PER_PEER = 32;
  static final int MAX_PROTOCOLS_PER_PEER = 128;
  static final int MAX_PEERS = 10_000;

  private record Entry(List<Multiaddr> addrs, Optional<PeerInfo> info) {}

  private final ConcurrentHashMap<PeerId, Entry> entries = new ConcurrentHashMap<>();

  @Override
  public void addAddrs(PeerId peer, List<Multiaddr> addrs) {
    if (entries.size() >= MAX_PEERS && !entries.containsKey(peer)) {
      return;
    }
    entries.compute(peer, (id, old) -> {
      LinkedHashSet<Multiaddr> merged = new LinkedHashSet<>();
      for (Multiaddr a : addrs) {
        merged.add(a.withoutPeerId());
      }
      if (old != null) {
        merged.addAll(old.addrs());
      }
      List<Multiaddr> capped = merged.stream().limit(MAX_ADDRS_PER_PEER).toList();
      return new Entry(capped, old == null ? Optional.empty() : old.info());
    });
  }

  /** Records what Identify learned (replacing the previous info) and merges its addresses. */
  public void putInfo(PeerInfo info) {
    Set<String> protocols = info.protocols().size() <= MAX_PROTOCOLS_PER_PEER
        ? info.protocols()
        : Set.copyOf(info.protocols().stream().limit(MAX_PROTOCOLS_PER_PEER).toList());
    PeerInfo bounded = new PeerInfo(info.peerId(),
        info.listenAddrs().stream().limit(MAX_ADDRS_PER_PEER).toList(), protocols,
        info.protocolVersion(), info.agentVersion());
    addAddrs(info.peerId(), bounded.listenAddrs());
    entries.computeIfPresent(info.peerId(), (id, old) -> new Entry(old.addrs(), Optional.of(bounded)));
  }

  @Override
  public List<Multiaddr> addrs(PeerId peer) {
    Entry e = entries.get(peer);
    return e == null ? List.of() : e.addrs();
  }

  @Override
  public Set<String> protocols(PeerId peer) {
    Entry e = entries.get(peer);
    return e == null ? Set.of() : e.info().map(PeerInfo::protocols).orElse(Set.of());
  }

  @Override
  public Optional<PeerInfo> info(PeerId peer) {
    Entry e = entries.get(peer);
    return e == null ? Optional.empty() : e.info();
  }

  @Override
  public Set<PeerId> peers() {
    return Set.copyOf(entries.keySet());
  }
}
