package io.disjoint.relay.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dialer's end of one long-lived relay stream. Requests are pipelined: each gets a fresh
 * request id, responses are matched by id in whatever order they arrive. All per-stream state
 * lives on the channel's event loop; {@link #send} may be called from any thread.
 */
public final class RelayStreamClient {
  private static final Logger log = LoggerFactory.getLogger(RelayStreamClient.class);

  private final Channel channel;
  private final Clock clock;
  private final Consumer<Channel> abort;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private long nextRequestId = 1;
  private boolean flushQueued;
  private final Runnable flushTask = this::flushQueuedWrites;

  /** A request in flight: its future, when it expires (clock millis) and how long it was given. */
  private record Pending(CompletableFuture<RelayResponse> future, long expiresAtMs, long waitMs) {}

  /**
   * One timer per stream, due at the earliest expiry among the requests in flight, instead of a
   * timer per request: requests are normally answered long before, and arming and cancelling a
   * timer for each one is measurable at tens of thousands of requests per second.
   */
  private ScheduledFuture<?> expiryTimer;
  private long expiryTimerAtMs = Long.MAX_VALUE;

  /**
   * Installs the relay codec on a negotiated stream channel.
   *
   * @param abort how to reset the stream when the serving side breaks the protocol
   */
  public RelayStreamClient(Channel channel, Clock clock, Consumer<Channel> abort) {
    this.channel = channel;
    this.clock = clock;
    this.abort = abort;
    channel.pipeline().addLast("relay-frame-decoder", new LengthPrefixedFrameDecoder(RelayProtocol.MAX_RESPONSE_FRAME));
    channel.pipeline().addLast("relay-frame-encoder", LengthPrefixedFrameEncoder.INSTANCE);
    channel.pipeline().addLast("relay-client", new Handler());
  }

  public RelayStreamClient(Channel channel, Clock clock) {
    this(channel, clock, Channel::close);
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /** Requests sent and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  public Channel channel() {
    return channel;
  }

  /**
   * Sends one request (its request id is replaced by this stream's next id) and completes with
   * the matching response, or fails with {@link RelayTransportException}.
   */
  public CompletableFuture<RelayResponse> send(RelayRequest request) {
    CompletableFuture<RelayResponse> future = new CompletableFuture<>();
    inFlight.incrementAndGet();
    future.whenComplete((r, e) -> inFlight.decrementAndGet());
    if (channel.eventLoop().inEventLoop()) {
      sendOnLoop(request, future);
    } else {
      channel.eventLoop().execute(() -> sendOnLoop(request, future));
    }
    return future;
  }

  private void sendOnLoop(RelayRequest request, CompletableFuture<RelayResponse> future) {
    if (!channel.isActive()) {
      future.completeExceptionally(new RelayTransportException(RelayTransportException.Kind.CLOSED, "relay stream closed"));
      return;
    }
    long id = nextRequestId++;
    long now = clock.millis();
    long waitMs = Math.max(1, request.deadlineUnixMs() - now);
    pending.put(id, new Pending(future, now + waitMs, waitMs));
    armExpiryTimer(now + waitMs, now);
    channel.write(RelayMessages.toWire(request.withRequestId(id))).addListener(f -> {
      if (!f.isSuccess()) {
        failOne(id, new RelayTransportException(RelayTransportException.Kind.CLOSED, "relay write failed", f.cause()));
      }
    });
    flushSoon();
  }

  /**
   * Flushes once the event loop has handled the I/O and tasks at hand, so that the requests of
   * every client connection that became readable together leave in one encrypted frame and one
   * system call instead of one each. The delay is the rest of the loop's current turn.
   */
  private void flushQueuedWrites() {
    flushQueued = false;
    channel.flush();
  }

  private void flushSoon() {
    if (!flushQueued) {
      flushQueued = true;
      channel.eventLoop().execute(flushTask);
    }
  }

  private void armExpiryTimer(long atMs, long nowMs) {
    if (expiryTimer != null && expiryTimerAtMs <= atMs) {
      return;
    }
    if (expiryTimer != null) {
      expiryTimer.cancel(false);
    }
    expiryTimerAtMs = atMs;
    expiryTimer = channel.eventLoop().schedule(this::expireDue, Math.max(1, atMs - nowMs), TimeUnit.MILLISECONDS);
  }

  /** Fails the requests whose time is up and re-arms the timer for the next expiry, if any. */
  private void expireDue() {
    expiryTimer = null;
    expiryTimerAtMs = Long.MAX_VALUE;
    long now = clock.millis();
    long next = Long.MAX_VALUE;
    List<Pending> expired = new ArrayList<>();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.expiresAtMs <= now) {
        it.remove();
        expired.add(p);
      } else {
        next = Math.min(next, p.expiresAtMs);
      }
    }
    if (next != Long.MAX_VALUE) {
      armExpiryTimer(next, now);
    }
    for (Pending p : expired) {
      p.future.completeExceptionally(new RelayTransportException(
          RelayTransportException.Kind.TIMEOUT, "no relay response within " + p.waitMs + " ms"));
    }
  }

  private void failOne(long id, Throwable cause) {
    Pending p = pending.remove(id);
    if (p != null) {
      p.future.completeExceptionally(cause);
    }
  }

  private void failAll(RelayTransportException cause) {
    List<Pending> all = new ArrayList<>(pending.values());
    pending.clear();
    if (expiryTimer != null) {
      expiryTimer.cancel(false);
      expiryTimer = null;
      expiryTimerAtMs = Long.MAX_VALUE;
    }
    for (Pending p : all) {
      p.future.completeExceptionally(cause);
    }
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      RelayResponse response;
      try {
        response = RelayMessages.parseResponse((ByteBuf) msg);
      } finally {
        ReferenceCountUtil.release(msg);
      }
      Pending p = pending.remove(response.requestId());
      if (p == null) {
        // Late answer after our timeout fired: harmless, the peer is just slow.
        log.debug("relay response for unknown or expired request {}", response.requestId());
        return;
      }
      p.future.complete(response);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
        // The serving side closed its half: nothing more will be answered on this stream.
        failAll(new RelayTransportException(RelayTransportException.Kind.CLOSED, "relay stream closed by peer"));
        ctx.close();
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      failAll(new RelayTransportException(RelayTransportException.Kind.CLOSED, "relay stream closed by peer"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Throwable root = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null ? cause.getCause() : cause;
      if (root instanceof RelayProtocolException) {
        log.debug("serving peer broke the relay protocol, resetting stream: {}", root.getMessage());
        failAll(new RelayTransportException(RelayTransportException.Kind.PROTOCOL, root.getMessage(), root));
      } else {
        log.debug("relay stream failed: {}", root.toString());
        failAll(new RelayTransportException(RelayTransportException.Kind.CLOSED, root.toString(), root));
      }
      abort.accept(ctx.channel());
    }
  }
}
