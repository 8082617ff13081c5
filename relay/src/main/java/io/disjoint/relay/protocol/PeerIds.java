package io.disjoint.relay.protocol;

import io.disjoint.p2p.crypto.PeerId;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Peer id texts parsed once: the payment code sees the same few peers on every request, and
 * parsing is a base58 decode plus a multihash check. At most {@link #MAX_CACHED} entries; the
 * cache is emptied when full.
 */
final class PeerIds {
  static final int MAX_CACHED = 4096;
  private static final ConcurrentHashMap<String, PeerId> PARSED = new ConcurrentHashMap<>();

  private PeerIds() {}

  /** As {@link PeerId#parse}, which throws for text that is not a peer id (nothing is cached then). */
  static PeerId parse(String text) {
    PeerId cached = PARSED.get(text);
    if (cached != null) {
      return cached;
    }
    PeerId parsed = PeerId.parse(text);
    if (PARSED.size() >= MAX_CACHED) {
      PARSED.clear();
    }
    PARSED.put(text, parsed);
    return parsed;
  }
}
