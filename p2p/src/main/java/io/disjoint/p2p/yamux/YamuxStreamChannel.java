package io.disjoint.p2p.yamux;

import io.disjoint.p2p.P2pException.Fault;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Yamux stream as a Netty child channel on its connection's event loop. Reads are ByteBufs in
 * arrival order; the receive window is re-opened only as the pipeline consumes them (with
 * auto-read off, as it calls {@code read()}), and grows while the application keeps up. Writes
 * beyond the send window stay in the channel's outbound buffer, which makes the channel unwritable
 * past its high water mark, and go out as WindowUpdates arrive.
 *
 * <p>{@code close()} sends FIN (if not sent) and forgets the stream once the remote FINs or after
 * {@link YamuxConfig#streamCloseTimeout()} with a reset. A remote FIN fires {@link
 * ChannelInputShutdownEvent}; a remote reset fires {@link YamuxStreamEvent#REMOTE_RESET} and
 * closes the channel.
 */
public final class YamuxStreamChannel extends AbstractChannel {
  private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

  private final YamuxSession session;
  private final int streamId;
  private final boolean outbound;
  private final DefaultChannelConfig config;
  private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
  /** Payload pieces of the Data frame being written; emptied by {@link YamuxSession#sendData}. */
  private final List<ByteBuf> framePieces = new ArrayList<>();

  private boolean open = true;
  private boolean finSent;
  private boolean finReceived;
  private boolean reset;
  private boolean removed;
  boolean needsAck;
  boolean awaitingAck;
  private boolean inputShutdownFired;
  private boolean readRequested;
  private boolean draining;
  private boolean finAfterWrites;
  private CompletableFuture<Void> closeWriteFuture;
  private ScheduledFuture<?> closeTimer;

  long sendWindow = YamuxConfig.INITIAL_WINDOW;
  long recvWindow = YamuxConfig.INITIAL_WINDOW;
  private long recvWindowTarget = YamuxConfig.INITIAL_WINDOW;
  private long consumedCredit;

  YamuxStreamChannel(YamuxSession session, int streamId, boolean outbound) {
    super(session.channel());
    this.session = session;
    this.streamId = streamId;
    this.outbound = outbound;
    this.config = new DefaultChannelConfig(this);
    config.setWriteBufferWaterMark(new WriteBufferWaterMark(128 * 1024, 512 * 1024));
  }

  public int streamId() {
    return streamId;
  }

  /** True if we opened the stream. */
  public boolean isOutbound() {
    return outbound;
  }

  public YamuxSession session() {
    return session;
  }

  /** Bytes we may still send before the remote grants more window. */
  public long sendWindow() {
    return sendWindow;
  }

  /** Bytes the remote may still send us. */
  public long receiveWindow() {
    return recvWindow;
  }

  /** The window this stream grants once the application has consumed everything: 256 KiB, grown. */
  public long receiveWindowTarget() {
    return recvWindowTarget;
  }

  /** Half-closes: sends FIN after every write queued before this call. */
  public CompletableFuture<Void> closeWrite() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    runOnLoop(() -> {
      if (finSent) {
        done.complete(null);
        return;
      }
      if (reset || !open) {
        done.completeExceptionally(new YamuxException(Fault.NONE, "stream is closed"));
        return;
      }
      if (closeWriteFuture != null) {
        closeWriteFuture.whenComplete((v, e) -> done.complete(null));
        return;
      }
      closeWriteFuture = done;
      finAfterWrites = true;
      flush();
      ChannelOutboundBuffer buffer = unsafe().outboundBuffer();
      if (!finSent && open && !reset && (buffer == null || buffer.isEmpty())) {
        finAfterWrites = false;
        sendFin();
      }
    });
    return done;
  }

  /** Aborts both directions with RST. */
  public void reset() {
    runOnLoop(() -> {
      if (reset || removed) {
        return;
      }
      reset = true;
      session.sendStreamFrame(this, YamuxFlags.RST);
      session.flush();
      releaseInbound();
      if (open) {
        unsafe().close(voidPromise());
      }
      session.removeStream(this);
    });
  }

  private void runOnLoop(Runnable task) {
    EventLoop loop = eventLoop();
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }

  // ---- called by the session, on the event loop ----

  void onAck() {
    if (awaitingAck) {
      awaitingAck = false;
      session.outboundAcked();
    }
  }

  void onWindowUpdate(long delta) {
    sendWindow += delta;
    if (delta > 0 && open) {
      resumeWrites();
    }
  }

  void resumeWrites() {
    ((StreamUnsafe) unsafe()).resumeFlush();
  }

  void onData(ByteBuf data) {
    recvWindow -= data.readableBytes();
    if (!open || reset || finReceived) {
      data.release();
      return;
    }
    inbound.add(data);
    if (readRequested) {
      drainInbound();
    }
  }

  void onRemoteFin() {
    if (finReceived) {
      return;
    }
    finReceived = true;
    if (!open) {
      cancelCloseTimer();
      session.removeStream(this);
      return;
    }
    if (inbound.isEmpty()) {
      fireInputShutdown();
    }
  }

  void onRemoteReset() {
    if (reset) {
      return;
    }
    reset = true;
    releaseInbound();
    cancelCloseTimer();
    if (open) {
      pipeline().fireUserEventTriggered(YamuxStreamEvent.REMOTE_RESET);
      unsafe().close(voidPromise());
    }
    session.removeStream(this);
  }

  void onSessionClosed() {
    reset = true;
    releaseInbound();
    cancelCloseTimer();
    if (open) {
      unsafe().close(voidPromise());
    }
  }

  boolean isRemoved() {
    return removed;
  }

  void markRemoved() {
    removed = true;
    cancelCloseTimer();
  }

  long grantedExtraWindow() {
    return recvWindowTarget - YamuxConfig.INITIAL_WINDOW;
  }

  // ---- reading ----

  private void drainInbound() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      boolean delivered = false;
      while (readRequested && open && !inbound.isEmpty()) {
        ByteBuf data = inbound.poll();
        consumedCredit += data.readableBytes();
        delivered = true;
        pipeline().fireChannelRead(data);
        if (!config.isAutoRead()) {
          readRequested = false;
        }
      }
      if (delivered && open) {
        pipeline().fireChannelReadComplete();
        maybeSendWindowUpdate();
      }
      if (open && finReceived && inbound.isEmpty()) {
        fireInputShutdown();
      }
    } finally {
      draining = false;
    }
  }

  private void maybeSendWindowUpdate() {
    if (finReceived || reset || !open || consumedCredit < recvWindowTarget / 2) {
      return;
    }
    long growth = 0;
    if (inbound.isEmpty() && recvWindowTarget < session.config().maxStreamWindow()) {
      long wanted = Math.min(recvWindowTarget, session.config().maxStreamWindow() - recvWindowTarget);
      growth = session.reserveWindow(wanted, recvWindowTarget);
      recvWindowTarget += growth;
    }
    long delta = consumedCredit + growth;
    consumedCredit = 0;
    recvWindow += delta;
    session.sendWindowUpdate(this, delta);
    session.flush();
  }

  private void fireInputShutdown() {
    if (inputShutdownFired) {
      return;
    }
    inputShutdownFired = true;
    pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
    if (finSent && open) {
      unsafe().close(voidPromise());
    }
  }

  private void releaseInbound() {
    ByteBuf data;
    while ((data = inbound.poll()) != null) {
      data.release();
    }
  }

  // ---- writing ----

  private void sendFin() {
    finSent = true;
    session.sendStreamFrame(this, YamuxFlags.FIN);
    session.flush();
    if (closeWriteFuture != null) {
      closeWriteFuture.complete(null);
    }
    if (inputShutdownFired && open) {
      unsafe().close(voidPromise());
    } else if (finReceived && !open) {
      session.removeStream(this);
    }
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) {
    boolean wrote = false;
    try {
      while (true) {
        Object msg = in.current();
        if (msg == null) {
          break;
        }
        if (finSent || reset) {
          in.remove(new YamuxException(Fault.LOCAL, "write after the stream's write side closed"));
          continue;
        }
        if (!((ByteBuf) msg).isReadable()) {
          in.remove();
          continue;
        }
        if (sendWindow <= 0) {
          break;
        }
        if (!session.parentWritable()) {
          session.flush();
          if (!session.parentWritable()) {
            session.waitForParentWritable(this);
            break;
          }
        }
        int room = (int) Math.min(sendWindow, session.config().maxSendFrame());
        int n = takeFramePayload(in, room);
        session.sendData(this, framePieces, n);
        sendWindow -= n;
        wrote = true;
        // Only now complete the writes' promises: a listener may half-close, and its FIN must
        // follow this frame.
        in.removeBytes(n);
      }
    } finally {
      if (wrote) {
        session.flush();
      }
    }
    if (finAfterWrites && in.isEmpty() && !finSent) {
      finAfterWrites = false;
      sendFin();
    }
  }

  /**
   * Moves up to {@code room} bytes of queued writes into {@link #framePieces} as retained slices,
   * across as many writes as it takes: full Data frames whatever the application's write size, so
   * that each one fills a Noise frame. Returns the number of bytes taken. The writes stay queued
   * (their promises pending) until the caller has sent the frame and removes them.
   */
  private int takeFramePayload(ChannelOutboundBuffer in, int room) {
    int[] taken = {0};
    try {
      in.forEachFlushedMessage(msg -> {
        if (!(msg instanceof ByteBuf buf)) {
          return false;
        }
        int n = Math.min(buf.readableBytes(), room - taken[0]);
        if (n > 0) {
          framePieces.add(buf.retainedSlice(buf.readerIndex(), n));
          taken[0] += n;
        }
        return taken[0] < room;
      });
    } catch (Exception e) {
      throw new IllegalStateException("cannot walk the stream's outbound buffer", e);
    }
    return taken[0];
  }

  @Override
  protected Object filterOutboundMessage(Object msg) {
    if (msg instanceof ByteBuf) {
      return msg;
    }
    throw new UnsupportedOperationException(
        "yamux streams carry ByteBufs, not " + msg.getClass().getSimpleName());
  }

  // ---- channel plumbing ----

  @Override
  protected void doBeginRead() {
    if (!open) {
      return;
    }
    readRequested = true;
    drainInbound();
  }

  @Override
  protected void doClose() {
    if (!open) {
      return;
    }
    open = false;
    releaseInbound();
    if (reset || removed || !session.channel().isActive()) {
      if (closeWriteFuture != null && !closeWriteFuture.isDone()) {
        closeWriteFuture.completeExceptionally(
            new YamuxException(Fault.NONE, "stream closed before its FIN was sent"));
      }
      return;
    }
    if (!finSent) {
      finSent = true;
      session.sendStreamFrame(this, YamuxFlags.FIN);
      session.flush();
      if (closeWriteFuture != null) {
        closeWriteFuture.complete(null);
      }
    }
    if (finReceived) {
      session.removeStream(this);
    } else {
      long timeoutMs = session.config().streamCloseTimeout().toMillis();
      closeTimer = eventLoop().schedule(this::closeTimedOut, timeoutMs, TimeUnit.MILLISECONDS);
    }
  }

  private void closeTimedOut() {
    closeTimer = null;
    if (!removed && !reset) {
      reset = true;
      session.sendStreamFrame(this, YamuxFlags.RST);
      session.flush();
      session.removeStream(this);
    }
  }

  private void cancelCloseTimer() {
    if (closeTimer != null) {
      closeTimer.cancel(false);
      closeTimer = null;
    }
  }

  @Override
  protected void doDisconnect() {
    doClose();
  }

  @Override
  protected void doBind(SocketAddress localAddress) {
    throw new UnsupportedOperationException("yamux streams cannot be bound");
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new StreamUnsafe();
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return loop == session.channel().eventLoop();
  }

  @Override
  protected SocketAddress localAddress0() {
    return session.channel().localAddress();
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return session.channel().remoteAddress();
  }

  @Override
  public ChannelConfig config() {
    return config;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return open;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  @Override
  public String toString() {
    return "yamux-stream(" + Integer.toUnsignedString(streamId) + (outbound ? " out" : " in")
        + " on " + session.channel() + ")";
  }

  private final class StreamUnsafe extends AbstractUnsafe {
    @Override
    public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
      promise.setFailure(new UnsupportedOperationException("yamux streams are opened by the session"));
    }

    void resumeFlush() {
      flush0();
    }
  }
}
