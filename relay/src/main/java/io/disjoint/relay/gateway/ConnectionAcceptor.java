package io.disjoint.relay.gateway;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server channel's handler: sets up each accepted connection and registers it on the loop
 * {@link GatewayEventLoops#placement()} picks (Netty's own acceptor only knows round robin over a
 * group). Every connection joins {@code connections}, so that closing the gateway closes them
 * even when the loops belong to someone else.
 */
final class ConnectionAcceptor extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionAcceptor.class);
  private static final long PAUSE_AFTER_ACCEPT_FAILURE_MILLIS = 1_000;

  private final GatewayEventLoops loops;
  private final ChannelGroup connections;
  private final Consumer<Channel> init;

  ConnectionAcceptor(GatewayEventLoops loops, ChannelGroup connections, Consumer<Channel> init) {
    this.loops = loops;
    this.connections = connections;
    this.init = init;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    try {
      child.config().setOption(ChannelOption.TCP_NODELAY, true);
      child.config().setOption(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT);
      init.accept(child);
      EventLoop loop = loops.placement().get();
      Channel server = ctx.channel();
      loop.register(child).addListener(f -> {
        if (f.isSuccess()) {
          connections.add(child);
          if (!server.isOpen()) {
            child.close(); // the gateway closed while this one was being registered
          }
        } else {
          log.warn("cannot register an accepted connection: {}", f.cause().toString());
          child.unsafe().closeForcibly();
        }
      });
    } catch (RuntimeException e) {
      log.warn("cannot set up an accepted connection: {}", e.toString());
      child.unsafe().closeForcibly();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Typically too many open files: stop accepting for a moment rather than spin.
    log.warn("accepting a gateway connection failed: {}", cause.toString());
    Channel server = ctx.channel();
    if (server.config().isAutoRead()) {
      server.config().setAutoRead(false);
      server.eventLoop().schedule(
          () -> server.config().setAutoRead(true), PAUSE_AFTER_ACCEPT_FAILURE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }
}
