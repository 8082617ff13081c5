package io.disjoint.p2p.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * TCP on Netty: native epoll when it loads, NIO otherwise. Owns the event loops; the host installs
 * the connection upgrade through the initializers it passes.
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
  private final Class<? extends ServerChannel> serverChannelClass;
  private final Class<? extends SocketChannel> channelClass;
  private final boolean nativeEpoll;

  /** @param workerThreads event loop threads for connections; 0 picks Netty's default */
  public TcpTransport(int workerThreads, String threadNamePrefix) {
    nativeEpoll = Epoll.isAvailable();
    IoHandlerFactory factory = nativeEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    bossGroup = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory(threadNamePrefix + "-accept", true), factory);
    workerGroup = new MultiThreadIoEventLoopGroup(workerThreads,
        new DefaultThreadFactory(threadNamePrefix + "-io", true), factory);
    serverChannelClass = nativeEpoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    channelClass = nativeEpoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  public boolean usesNativeEpoll() {
    return nativeEpoll;
  }

  public EventLoopGroup workerGroup() {
    return workerGroup;
  }

  /** Binds a listener; completes with the bound server channel. */
  public CompletableFuture<Channel> listen(
      InetSocketAddress address, ChannelInitializer<Channel> childInitializer) {
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(serverChannelClass)
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
        .channel(channelClass)
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
