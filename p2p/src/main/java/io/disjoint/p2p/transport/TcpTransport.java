package io.disjoint.p2p.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * TCP on Netty, on the {@link IoTransport} it is given (io_uring, epoll or NIO). Owns the event
 * loops; the host installs the connection upgrade through the initializers it passes.
 */
public final class TcpTransport implements AutoCloseable {
  /** Socket write buffer marks: large enough for Yamux to keep several 64 KiB frames in flight. */
  private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

  /**
   * Reads grow up to 256 KiB (Netty's default stops at 64 KiB). A full Noise frame is 65537 bytes
   * on the wire, so 64 KiB reads never hold one whole; 256 KiB reads hold about four, with a
   * quarter of the read calls and pipeline passes (about 5% less CPU per MB in bench-p2p). The
   * buffer only grows on connections whose reads keep filling it, and is released after each read.
   */
  private static RecvByteBufAllocator readBuffers() {
    return new AdaptiveRecvByteBufAllocator(64, 16 * 1024, 256 * 1024);
  }

  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final IoTransport io;

  /**
   * On the process's configured transport ({@link IoTransport#configured()}).
   *
   * @param workerThreads event loop threads for connections; 0 picks Netty's default
   */
  public TcpTransport(int workerThreads, String threadNamePrefix) {
    this(IoTransport.configured(), workerThreads, threadNamePrefix);
  }

  /** @param workerThreads event loop threads for connections; 0 picks Netty's default */
  public TcpTransport(IoTransport io, int workerThreads, String threadNamePrefix) {
    this.io = java.util.Objects.requireNonNull(io, "io");
    bossGroup = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory(threadNamePrefix + "-accept", true), io.ioHandlerFactory());
    workerGroup = new MultiThreadIoEventLoopGroup(workerThreads,
        new DefaultThreadFactory(threadNamePrefix + "-io", true), io.ioHandlerFactory());
  }

  /** The I/O transport of this transport's event loops and channels. */
  public IoTransport io() {
    return io;
  }

  public boolean usesNativeEpoll() {
    return io == IoTransport.EPOLL;
  }

  public EventLoopGroup workerGroup() {
    return workerGroup;
  }

  /** Binds a listener; completes with the bound server channel. */
  public CompletableFuture<Channel> listen(
      InetSocketAddress address, ChannelInitializer<Channel> childInitializer) {
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(io.serverChannelClass())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .childOption(ChannelOption.RECVBUF_ALLOCATOR, readBuffers())
        .childHandler(childInitializer);
    return toCompletable(bootstrap.bind(address));
  }

  /** Connects; completes with the connected channel (its pipeline set up by the initializer). */
  public CompletableFuture<Channel> dial(
      InetSocketAddress address, Duration connectTimeout, ChannelInitializer<Channel> initializer) {
    Bootstrap bootstrap = new Bootstrap()
        .group(workerGroup)
        .channel(io.socketChannelClass())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .option(ChannelOption.RECVBUF_ALLOCATOR, readBuffers())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
        .handler(initializer);
    return toCompletable(bootstrap.connect(address));
  }

  private static CompletableFuture<Channel> toCompletable(ChannelFuture future) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    future.addListener(f -> {
      if (f.isSuccess()) {
        result.complete(future.channel());
      } else {
        result.completeExceptionally(f.cause());
      }
    });
    return result;
  }

  /** Shuts the event loops down; completes when they have terminated. */
  public CompletableFuture<Void> shutdown() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> done.complete(null));
    return done;
  }

  @Override
  public void close() {
    shutdown().join();
  }
}
