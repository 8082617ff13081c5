package io.disjoint.relay.protocol;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import java.time.Clock;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay server on a Netty local address; every client channel plays the part of one libp2p
 * stream (a real Netty transport with its own event loops, no sockets needed).
 */
final class LocalRelayPair implements AutoCloseable {
  private static final AtomicInteger NEXT = new AtomicInteger();
  final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
  final LocalAddress address = new LocalAddress("relay-test-" + NEXT.incrementAndGet());
  final Queue<Channel> serverStreams = new ConcurrentLinkedQueue<>();
  final AtomicInteger opened = new AtomicInteger();
  private final Channel server;

  LocalRelayPair(RelayService service, int maxInFlight) throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            serverStreams.add(ch);
            RelayStreamServer.install(ch, service, "gateway-peer", Channel::close, maxInFlight);
          }
        }).bind(address).sync().channel();
  }

  /** Opens one raw client stream (no handlers). */
  Channel rawStream() throws InterruptedException {
    opened.incrementAndGet();
    return new Bootstrap().group(group).channel(LocalChannel.class)
        .handler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {}
        }).connect(address).sync().channel();
  }

  RelayStreamClient client(Clock clock) throws InterruptedException {
    return new RelayStreamClient(rawStream(), clock);
  }

  /** A stream opener for {@link PooledRelayTransport} that counts the streams it opens. */
  PooledRelayTransport.StreamOpener opener() {
    return peer -> {
      try {
        Channel ch = rawStream();
        return CompletableFuture.completedFuture(new PooledRelayTransport.OpenedStream(ch, Channel::close));
      } catch (InterruptedException e) {
        return CompletableFuture.failedFuture(e);
      }
    };
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).syncUninterruptibly();
  }
}
