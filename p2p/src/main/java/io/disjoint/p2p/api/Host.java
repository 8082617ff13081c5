package io.disjoint.p2p.api;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A libp2p host: listens and dials over TCP, upgrades connections with Noise and Yamux, runs
 * Identify and Ping, and hands out streams negotiated with multistream-select. The rest of the
 * project uses only this interface.
 */
public interface Host {
  PeerId peerId();

  PrivKey privKey();

  CompletableFuture<Void> start();

  CompletableFuture<Void> stop();

  /** Bound listen addresses, with real ports once started (without the /p2p suffix). */
  List<Multiaddr> listenAddrs();

  /** Dials an address; if it ends in /p2p/ID the remote identity must match or the dial fails. */
  CompletableFuture<Connection> dial(Multiaddr addr);

  /** Returns an open connection to the peer, dialling its known addresses if there is none. */
  CompletableFuture<Connection> connect(PeerId peer);

  /** Opens a stream to the peer (connecting if needed) and negotiates the protocol on it. */
  CompletableFuture<Stream> newStream(PeerId peer, String protocolId);

  /** Registers the handler for inbound streams of a protocol id; Identify lists it. */
  void setStreamHandler(String protocolId, StreamHandler handler);

  void removeStreamHandler(String protocolId);

  PeerStore peerStore();

  Collection<Connection> connections();

  void addListener(HostListener listener);
}
