package io.disjoint.p2p.host;

import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.p2p.multiaddr.Multiaddr;
import io.disjoint.p2p.transport.ConnectionUpgrader.SecuredPeer;
import io.disjoint.p2p.yamux.YamuxSession;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** An upgraded connection of a {@link Libp2pHost}. */
final class HostConnection implements Connection {
  private final Channel channel;
  private final SecuredPeer peer;
  private final boolean initiator;
  private final StreamDispatcher dispatcher;
  private final Multiaddr localAddr;
  private final Multiaddr remoteAddr;
  private YamuxSession session;

  HostConnection(Channel channel, SecuredPeer peer, boolean initiator, StreamDispatcher dispatcher) {
    this.channel = Objects.requireNonNull(channel);
    this.peer = Objects.requireNonNull(peer);
    this.initiator = initiator;
    this.dispatcher = Objects.requireNonNull(dispatcher);
    this.localAddr = Multiaddr.fromTcp((InetSocketAddress) channel.localAddress());
    this.remoteAddr = Multiaddr.fromTcp((InetSocketAddress) channel.remoteAddress());
  }

  void attach(YamuxSession session) {
    this.session = session;
  }

  YamuxSession session() {
    return session;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public PeerId remotePeer() {
    return peer.peerId();
  }

  @Override
  public PubKey remotePublicKey() {
    return peer.publicKey();
  }

  @Override
  public Multiaddr localAddr() {
    return localAddr;
  }

  @Override
  public Multiaddr remoteAddr() {
    return remoteAddr;
  }

  @Override
  public boolean isInitiator() {
    return initiator;
  }

  @Override
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public CompletableFuture<Stream> newStream(String protocolId) {
    return dispatcher.open(this, protocolId);
  }

  /** Measures the round trip with a Yamux session ping. */
  CompletableFuture<Duration> sessionPing() {
    return session.ping();
  }

  @Override
  public CompletableFuture<Void> close() {
    return session.close();
  }

  @Override
  public String toString() {
    return (initiator ? "outbound" : "inbound") + " connection to " + peer.peerId() + " at " + remoteAddr;
  }
}
