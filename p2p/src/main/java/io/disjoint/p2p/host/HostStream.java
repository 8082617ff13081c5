package io.disjoint.p2p.host;

import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.yamux.YamuxStreamChannel;
import io.netty.channel.Channel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** A negotiated stream: a Yamux child channel plus what it was negotiated for. */
final class HostStream implements Stream {
  private final YamuxStreamChannel channel;
  private final String protocolId;
  private final HostConnection connection;

  HostStream(YamuxStreamChannel channel, String protocolId, HostConnection connection) {
    this.channel = Objects.requireNonNull(channel);
    this.protocolId = Objects.requireNonNull(protocolId);
    this.connection = Objects.requireNonNull(connection);
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public String protocolId() {
    return protocolId;
  }

  @Override
  public PeerId remotePeer() {
    return connection.remotePeer();
  }

  @Override
  public Connection connection() {
    return connection;
  }

  @Override
  public boolean isInitiator() {
    return channel.isOutbound();
  }

  @Override
  public CompletableFuture<Void> closeWrite() {
    return channel.closeWrite();
  }

  @Override
  public void reset() {
    channel.reset();
  }

  @Override
  public String toString() {
    return "stream " + protocolId + " " + channel;
  }
}
