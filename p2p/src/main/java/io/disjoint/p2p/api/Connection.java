package io.disjoint.p2p.api;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.util.concurrent.CompletableFuture;

/** A secured, multiplexed connection to one peer. */
public interface Connection {
  PeerId remotePeer();

  PubKey remotePublicKey();

  Multiaddr localAddr();

  Multiaddr remoteAddr();

  boolean isInitiator();

  boolean isOpen();

  CompletableFuture<Stream> newStream(String protocolId);

  CompletableFuture<Void> close();
}
