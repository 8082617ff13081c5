package io.disjoint.p2p.api;

import io.disjoint.p2p.crypto.PeerId;
import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;

/**
 * One multiplexed stream after protocol negotiation. {@link #channel()} is a Netty child channel
 * on the connection's event loop carrying raw {@code ByteBuf}s; protocol code adds its own codecs
 * to its pipeline. Closing the channel closes both directions (FIN, then release once the remote
 * FINs); {@link #closeWrite()} half-closes; {@link #reset()} aborts (RST).
 */
public interface Stream {
  Channel channel();

  String protocolId();

  PeerId remotePeer();

  Connection connection();

  boolean isInitiator();

  CompletableFuture<Void> closeWrite();

  void reset();
}
