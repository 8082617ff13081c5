package io.disjoint.p2p.api;

import io.disjoint.p2p.crypto.PeerId;

/** Connection events; called off the caller's thread, must not block. */
public interface HostListener {
  default void onConnected(Connection connection) {}

  default void onDisconnected(Connection connection) {}

  default void onIdentified(PeerId peer, PeerInfo info) {}
}
