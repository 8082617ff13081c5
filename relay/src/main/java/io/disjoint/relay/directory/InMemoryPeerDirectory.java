package io.disjoint.relay.directory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A {@link PeerDirectory} fed by verified hellos and static configuration. A static entry gives a
 * peer's domain and chains from configuration; a verified hello from the same peer replaces its
 * chains and domain (the peer signed it; adverts with evidence come later). Heads are refreshed by
 * hellos and by every relay response.
 */
public final class InMemoryPeerDirectory implements PeerDirectory {
  private final Clock clock;
  private final Map<String, Entry> peers = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  private static final class Entry {
    final FailureDomain domain;
    final long helloTimestamp;
    final boolean fromConfig;
    final Map<String, ChainHead> heads;

    Entry(FailureDomain domain, long helloTimestamp, boolean fromConfig, Map<String, ChainHead> heads) {
      this.domain = domain;
      this.helloTimestamp = helloTimestamp;
      this.fromConfig = fromConfig;
      this.heads = heads;
    }
  }

  public InMemoryPeerDirectory(Clock clock) {
    this.clock = clock;
  }

  /** Called with the peer id whenever a peer is added, changed or removed. */
  public void addListener(Consumer<String> listener) {
    listeners.add(listener);
  }

  public void removeListener(Consumer<String> listener) {
    listeners.remove(listener);
  }

  /** Adds or replaces a statically configured peer (heads unknown until it answers or says hello). */
  public void putStatic(String peerId, FailureDomain domain, Set<String> chains) {
    Map<String, ChainHead> heads = new HashMap<>();
    Instant now = clock.instant();
    for (String chain : chains) {
      heads.put(chain, new ChainHead(-1, now));
    }
    peers.put(peerId, new Entry(domain, 0, true, heads));
    notifyListeners(peerId);
  }

  /**
   * Applies a hello whose signature was verified against {@code peerId}. Returns false (and
   * changes nothing) when a newer hello from that peer was already applied.
   */
  public boolean applyHello(String peerId, HelloMessage hello) {
    Instant now = clock.instant();
    boolean[] applied = {false};
    peers.compute(peerId, (id, old) -> {
      if (old != null && old.helloTimestamp >= hello.timestampUnixMs()) {
        return old;
      }
      Map<String, ChainHead> heads = new HashMap<>();
      hello.heads().forEach((chain, head) -> heads.put(chain, new ChainHead(head, now)));
      applied[0] = true;
      return new Entry(hello.domain(), hello.timestampUnixMs(), old != null && old.fromConfig, heads);
    });
    if (applied[0]) {
      notifyListeners(peerId);
    }
    return applied[0];
  }

  /** Forgets a peer learned from hellos (e.g. on disconnect); configured peers stay. */
  public void disconnected(String peerId) {
    Entry removed = peers.computeIfPresent(peerId, (id, e) -> e.fromConfig ? e : null);
    if (removed == null) {
      notifyListeners(peerId);
    }
  }

  public void remove(String peerId) {
    if (peers.remove(peerId) != null) {
      notifyListeners(peerId);
    }
  }

  public Set<String> peers() {
    return Set.copyOf(peers.keySet());
  }

  /**
   * Every chain some peer serves (advertised in its hello or configured), with the number of those
   * peers per chain, sorted by chain.
   */
  public java.util.SortedMap<String, Integer> chains() {
    java.util.SortedMap<String, Integer> out = new java.util.TreeMap<>();
    peers.forEach((id, e) -> {
      synchronized (e.heads) {
        e.heads.keySet().forEach(chain -> out.merge(chain, 1, Integer::sum));
      }
    });
    return out;
  }

  @Override
  public List<DirectoryPeer> peersServing(String chain) {
    List<DirectoryPeer> out = new ArrayList<>();
    peers.forEach((id, e) -> {
      ChainHead head;
      synchronized (e.heads) {
        head = e.heads.get(chain);
      }
      if (head != null) {
        out.add(new DirectoryPeer(id, e.domain, head));
      }
    });
    return out;
  }

  @Override
  public Optional<FailureDomain> domainOf(String peerId) {
    Entry e = peers.get(peerId);
    return e == null ? Optional.empty() : Optional.of(e.domain);
  }

  @Override
  public void observeHead(String peerId, String chain, long headNumber) {
    Entry e = peers.get(peerId);
    if (e == null || headNumber < 0) {
      return;
    }
    Instant now = clock.instant();
    synchronized (e.heads) {
      ChainHead old = e.heads.get(chain);
      if (old != null && (old.number() <= headNumber || !old.observedAt().isAfter(now))) {
        // A response is the freshest word on the peer's head, even when it went down (reorg, lag).
        e.heads.put(chain, new ChainHead(headNumber, now));
      }
    }
  }

  private void notifyListeners(String peerId) {
    for (Consumer<String> l : listeners) {
      l.accept(peerId);
    }
  }
}
