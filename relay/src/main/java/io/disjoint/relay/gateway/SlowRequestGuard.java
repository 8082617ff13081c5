package io.disjoint.relay.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long a client may take to deliver one request, counted from its first byte, so that
 * a client trickling headers or a body (slowloris) cannot hold a connection. Sits before the HTTP
 * codec; {@link #requestReceived()} disarms it once a whole request is in. On expiry the
 * {@code onExpiry} action answers (HTTP 408) and closes.
 */
final class SlowRequestGuard extends ChannelInboundHandlerAdapter {
  private final long timeoutNanos;
  private final java.util.function.Consumer<ChannelHandlerContext> onExpiry;
  private ScheduledFuture<?> timer;
  private ChannelHandlerContext context;

  SlowRequestGuard(Duration timeout, java.util.function.Consumer<ChannelHandlerContext> onExpiry) {
    this.timeoutNanos = timeout.toNanos();
    this.onExpiry = onExpiry;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.context = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (timer == null) {
      timer = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
    }
    ctx.fireChannelRead(msg);
  }

  /** A whole request arrived; the clock restarts with the next request's first byte. */
  void requestReceived() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expire() {
    timer = null;
    if (context.channel().isActive()) {
      onExpiry.accept(context);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    requestReceived();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    requestReceived();
  }
}
