package io.disjoint.p2p.yamux;

import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.P2pException.Fault;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Yamux session on a secured connection: the last handler of the connection pipeline, behind a
 * {@link YamuxFrameDecoder}. Streams are {@link YamuxStreamChannel}s registered on the same event
 * loop; all state here is touched only from that loop.
 *
 * <p>Peer misbehaviour that breaks the session (window overrun, a SYN with our parity or for a
 * live id, a malformed frame) sends GoAway(protocol error) and closes the connection. SYNs over
 * the stream limits or the ACK backlog are refused with RST; frames for unknown streams are
 * dropped (they are usually late frames for streams that just ended).
 */
public final class YamuxSession extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(YamuxSession.class);

  private record PendingOpen(ChannelHandler initialHandler, CompletableFuture<YamuxStreamChannel> result) {}

  private final YamuxConfig config;
  private final boolean initiator;
  private final Consumer<YamuxStreamChannel> inboundStreamInitializer;
  private final IntObjectMap<YamuxStreamChannel> streams = new IntObjectHashMap<>();
  private final YamuxPings pings;
  private final ArrayDeque<PendingOpen> pendingOpens = new ArrayDeque<>();
  private final LinkedHashSet<YamuxStreamChannel> waitingForParent = new LinkedHashSet<>();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

  private ChannelHandlerContext ctx;
  private long nextStreamId;
  private int inboundStreams;
  private int outboundStreams;
  private int outboundAwaitingAck;
  private int inboundAwaitingAck;
  private long extraWindowGranted;
  private long largestWindowGranted = YamuxConfig.INITIAL_WINDOW;
  private boolean goAwaySent;
  /** The remote has sent data or opened a stream: its side serves streams, the early limit is off. */
  private boolean remoteServing;
  private boolean goAwayReceived;
  private boolean closed;
  private boolean shutDown;
  private ScheduledFuture<?> keepAliveTask;
  private long refusedStreams;

  /**
   * @param initiator true on the dialer's side (odd stream ids)
   * @param inboundStreamInitializer called for each accepted inbound stream before it is
   *     registered, to add its first handlers
   */
  public YamuxSession(
      YamuxConfig config,
      boolean initiator,
      Consumer<YamuxStreamChannel> inboundStreamInitializer,
      LongSupplier nanoTime) {
    this.config = Objects.requireNonNull(config, "config");
    this.initiator = initiator;
    this.inboundStreamInitializer = Objects.requireNonNull(inboundStreamInitializer);
    this.pings = new YamuxPings(Objects.requireNonNull(nanoTime, "nanoTime"));
    this.nextStreamId = initiator ? 1 : 2;
  }

  public YamuxSession(YamuxConfig config, boolean initiator, Consumer<YamuxStreamChannel> init) {
    this(config, initiator, init, System::nanoTime);
  }

  public YamuxConfig config() {
    return config;
  }

  public Channel channel() {
    return ctx.channel();
  }

  /** Completes when the connection under the session has closed. */
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  /** Number of open streams (both directions); read it on the event loop for an exact value. */
  public int streamCount() {
    return streams.size();
  }

  /** Inbound streams refused because of limits, since the session started. */
  public long refusedStreams() {
    return refusedStreams;
  }

  // ---- public operations, callable from any thread ----

  /**
   * Opens an outbound stream. {@code initialHandler} (may be null) is in the stream's pipeline
   * before it becomes active. If 256 of our streams are unacknowledged the open waits for ACKs;
   * until the remote has sent data or opened a stream, at most {@link
   * YamuxConfig#maxEarlyStreams()} of ours are open and further opens wait for that.
   */
  public CompletableFuture<YamuxStreamChannel> openStream(ChannelHandler initialHandler) {
    CompletableFuture<YamuxStreamChannel> result = new CompletableFuture<>();
    runOnLoop(() -> openNow(new PendingOpen(initialHandler, result)));
    return result;
  }

  /** Sends a session ping and completes with the round-trip time. */
  public CompletableFuture<Duration> ping() {
    CompletableFuture<Duration> result = new CompletableFuture<>();
    runOnLoop(() -> {
      if (closed) {
        result.completeExceptionally(new YamuxException(Fault.NONE, "session closed"));
      } else if (pings.full()) {
        result.completeExceptionally(new YamuxException(Fault.LOCAL, "too many outstanding pings"));
      } else {
        writeHeader(YamuxFrameType.PING, YamuxFlags.SYN, 0, Integer.toUnsignedLong(pings.start(result)));
        flush();
      }
    });
    return result;
  }

  /** Sends GoAway(normal) and closes the connection once it is written. */
  public CompletableFuture<Void> close() {
    runOnLoop(() -> {
      if (!closed && ctx.channel().isActive()) {
        sendGoAway(YamuxGoAwayCode.NORMAL);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.close();
      }
    });
    return closeFuture;
  }

  private void runOnLoop(Runnable task) {
    EventLoop loop = ctx.channel().eventLoop();
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }

  // ---- channel events ----

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    long intervalMs = config.keepAliveInterval().toMillis();
    if (intervalMs > 0) {
      keepAliveTask =
          ctx.executor().scheduleAtFixedRate(this::keepAlive, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof YamuxFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closed) {
      frame.release();
      return;
    }
    try {
      switch (frame.type()) {
        case PING -> onPing(frame);
        case GO_AWAY -> onGoAway(frame);
        case DATA, WINDOW_UPDATE -> onStreamFrame(frame);
      }
    } catch (YamuxException e) {
      frame.release();
      protocolError(e.getMessage());
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // Round robin: a stream that fills the connection again queues behind the others waiting.
    while (ctx.channel().isWritable() && !waitingForParent.isEmpty()) {
      waitingForParent.removeFirst().resumeWrites();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    shutDown();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    shutDown();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (root instanceof P2pException p && p.fault() == Fault.PEER) {
      protocolError(p.getMessage());
    } else if (root instanceof IOException) {
      LOG.debug("connection {} failed: {}", ctx.channel(), root.toString());
      ctx.close();
    } else if (root instanceof P2pException p && p.fault() == Fault.NONE) {
      LOG.debug("connection {} closing: {}", ctx.channel(), root.getMessage());
      ctx.close();
    } else {
      LOG.error("bug: unexpected exception on connection {}", ctx.channel(), root);
      ctx.close();
    }
  }

  private void shutDown() {
    if (shutDown) {
      return;
    }
    shutDown = true;
    closed = true;
    if (keepAliveTask != null) {
      keepAliveTask.cancel(false);
    }
    YamuxException cause = new YamuxException(Fault.NONE, "connection closed");
    for (YamuxStreamChannel stream : new ArrayList<>(streams.values())) {
      stream.onSessionClosed();
      stream.markRemoved();
    }
    streams.clear();
    waitingForParent.clear();
    pings.failAll(cause);
    PendingOpen open;
    while ((open = pendingOpens.poll()) != null) {
      open.result().completeExceptionally(cause);
    }
    closeFuture.complete(null);
  }

  // ---- session frames ----

  private void onPing(YamuxFrame frame) {
    if (frame.hasFlag(YamuxFlags.SYN)) {
      writeHeader(YamuxFrameType.PING, YamuxFlags.ACK, 0, frame.length());
    } else if (frame.hasFlag(YamuxFlags.ACK) && !pings.acknowledged((int) frame.length())) {
      LOG.debug("ignoring ping ACK {} we did not send on {}", frame.length(), ctx.channel());
    }
  }

  private void onGoAway(YamuxFrame frame) {
    goAwayReceived = true;
    LOG.debug("remote {} sent GoAway code {}", ctx.channel(), frame.length());
    YamuxException cause = new YamuxException(Fault.NONE, "remote sent GoAway");
    PendingOpen open;
    while ((open = pendingOpens.poll()) != null) {
      open.result().completeExceptionally(cause);
    }
  }

  private void keepAlive() {
    if (closed) {
      return;
    }
    if (pings.keepAliveOutstanding()) {
      LOG.debug("closing {}: keep-alive ping not answered within {}", ctx.channel(), config.keepAliveInterval());
      ctx.close();
      return;
    }
    writeHeader(YamuxFrameType.PING, YamuxFlags.SYN, 0, Integer.toUnsignedLong(pings.startKeepAlive()));
    flush();
  }

  private void sendGoAway(YamuxGoAwayCode code) {
    if (!goAwaySent) {
      goAwaySent = true;
      writeHeader(YamuxFrameType.GO_AWAY, 0, 0, code.code());
    }
  }

  private void protocolError(String reason) {
    if (closed) {
      return;
    }
    LOG.debug("closing {}: yamux protocol error by the remote: {}", ctx.channel(), reason);
    sendGoAway(YamuxGoAwayCode.PROTOCOL_ERROR);
    closed = true;
    // Close at once: a peer that does not read must not keep the connection open by never
    // accepting the GoAway. What the socket took already still reaches it.
    ctx.flush();
    ctx.close();
  }

  // ---- stream frames ----

  /**
   * Checks a Data header before its payload is buffered, so that a peer cannot make us hold more
   * than the window we granted: on a live stream, its receive window; on a new stream, the
   * initial window; on an unknown (usually just closed) stream, the largest window granted on this
   * connection. Runs on the event loop, from the decoder in front of this handler.
   */
  public String checkHeader(YamuxFrameType type, int flags, int streamId, long length) {
    if (type != YamuxFrameType.DATA || length == 0) {
      return null;
    }
    YamuxStreamChannel stream = streams.get(streamId);
    long limit;
    if (stream != null) {
      limit = stream.recvWindow;
    } else if ((flags & YamuxFlags.SYN) != 0) {
      limit = YamuxConfig.INITIAL_WINDOW;
    } else {
      limit = largestWindowGranted;
    }
    if (length > limit) {
      return "window overrun on stream " + Integer.toUnsignedString(streamId) + ": " + length
          + " bytes with " + limit + " bytes of window";
    }
    return null;
  }

  private void onStreamFrame(YamuxFrame frame) {
    int id = frame.streamId();
    if (id == 0) {
      throw new YamuxException(Fault.PEER, frame.type() + " frame on session stream id 0");
    }
    YamuxStreamChannel stream;
    if (frame.hasFlag(YamuxFlags.SYN)) {
      stream = acceptStream(id);
      if (stream == null) {
        frame.release();
        return;
      }
    } else {
      stream = streams.get(id);
      if (stream == null) {
        LOG.trace("dropping {} for unknown stream on {}", frame, ctx.channel());
        frame.release();
        return;
      }
    }
    if (frame.hasFlag(YamuxFlags.ACK)) {
      stream.onAck();
    }
    if (frame.type() == YamuxFrameType.WINDOW_UPDATE) {
      stream.onWindowUpdate(frame.length());
    } else if (frame.length() > 0) {
      remoteServes();
      if (frame.length() > stream.recvWindow) {
        throw new YamuxException(Fault.PEER, "window overrun on stream " + Integer.toUnsignedString(id)
            + ": " + frame.length() + " bytes with " + stream.recvWindow + " bytes of window");
      }
      stream.onData(frame.data());
    }
    if (frame.hasFlag(YamuxFlags.FIN)) {
      stream.onRemoteFin();
    }
    if (frame.hasFlag(YamuxFlags.RST)) {
      stream.onRemoteReset();
    }
  }

  /** Accepts a SYN; returns null if it was refused with RST. */
  private YamuxStreamChannel acceptStream(int id) {
    boolean remoteParity = (id & 1) == (initiator ? 0 : 1);
    if (!remoteParity) {
      throw new YamuxException(Fault.PEER, "SYN for stream " + Integer.toUnsignedString(id)
          + " uses our id parity");
    }
    if (streams.containsKey(id)) {
      throw new YamuxException(Fault.PEER, "SYN for live stream " + Integer.toUnsignedString(id));
    }
    String refusal = null;
    if (goAwaySent) {
      refusal = "session is going away";
    } else if (inboundStreams >= config.maxInboundStreams()) {
      refusal = "resource limit: " + config.maxInboundStreams() + " inbound streams";
    } else if (inboundAwaitingAck >= config.maxAckBacklog()) {
      refusal = "resource limit: " + config.maxAckBacklog() + " unacknowledged inbound streams";
    }
    if (refusal != null) {
      refusedStreams++;
      if (refusedStreams == 1 || refusedStreams % 1000 == 0) {
        LOG.debug("refusing stream {} from {} ({} refused so far): {}",
            Integer.toUnsignedString(id), ctx.channel(), refusedStreams, refusal);
      }
      if (!ctx.channel().isWritable()) {
        protocolError("opens streams faster than it reads our resets");
        return null;
      }
      writeHeader(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.RST, id, 0);
      return null;
    }
    YamuxStreamChannel stream = new YamuxStreamChannel(this, id, false);
    stream.needsAck = true;
    inboundAwaitingAck++;
    inboundStreams++;
    streams.put(id, stream);
    try {
      inboundStreamInitializer.accept(stream);
    } catch (RuntimeException e) {
      LOG.error("bug: inbound stream initializer failed", e);
    }
    ctx.channel().eventLoop().register(stream);
    remoteServes();
    return stream;
  }

  private void remoteServes() {
    if (!remoteServing) {
      remoteServing = true;
      drainPendingOpens();
    }
  }

  /** True while an open must wait: too many unacknowledged, or too many early streams. */
  private boolean mustWaitToOpen() {
    return outboundAwaitingAck >= config.maxAckBacklog()
        || (!remoteServing && outboundStreams >= config.maxEarlyStreams());
  }

  private void openNow(PendingOpen open) {
    if (closed || goAwaySent || goAwayReceived) {
      open.result().completeExceptionally(new YamuxException(Fault.NONE,
          closed ? "connection closed" : "session is going away"));
      return;
    }
    if (outboundStreams + pendingOpens.size() >= config.maxOutboundStreams()) {
      open.result().completeExceptionally(new YamuxException(Fault.LOCAL,
          "resource limit: " + config.maxOutboundStreams() + " outbound streams on this connection"));
      return;
    }
    if (mustWaitToOpen()) {
      pendingOpens.add(open);
      return;
    }
    if (nextStreamId > 0xFFFF_FFFFL) {
      open.result().completeExceptionally(new YamuxException(Fault.NONE, "stream ids exhausted"));
      return;
    }
    int id = (int) nextStreamId;
    nextStreamId += 2;
    YamuxStreamChannel stream = new YamuxStreamChannel(this, id, true);
    stream.awaitingAck = true;
    outboundAwaitingAck++;
    outboundStreams++;
    streams.put(id, stream);
    writeHeader(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, id, 0);
    flush();
    if (open.initialHandler() != null) {
      stream.pipeline().addLast(open.initialHandler());
    }
    ctx.channel().eventLoop().register(stream);
    open.result().complete(stream);
  }

  void outboundAcked() {
    outboundAwaitingAck--;
    drainPendingOpens();
  }

  private void drainPendingOpens() {
    while (!pendingOpens.isEmpty() && !mustWaitToOpen()) {
      openNow(pendingOpens.poll());
    }
  }

  void removeStream(YamuxStreamChannel stream) {
    if (stream.isRemoved()) {
      return;
    }
    stream.markRemoved();
    if (closed) {
      return;
    }
    streams.remove(stream.streamId());
    waitingForParent.remove(stream);
    extraWindowGranted -= stream.grantedExtraWindow();
    if (stream.isOutbound()) {
      outboundStreams--;
      if (stream.awaitingAck) {
        stream.awaitingAck = false;
        outboundAwaitingAck--;
      }
      drainPendingOpens();
    } else {
      inboundStreams--;
      if (stream.needsAck) {
        stream.needsAck = false;
        inboundAwaitingAck--;
      }
    }
  }

  /** Reserves up to {@code wanted} bytes of extra receive window from the connection budget. */
  long reserveWindow(long wanted, long currentTarget) {
    long granted = Math.max(0, Math.min(wanted, config.connectionWindowBudget() - extraWindowGranted));
    extraWindowGranted += granted;
    largestWindowGranted = Math.max(largestWindowGranted, currentTarget + granted);
    return granted;
  }

  boolean parentWritable() {
    return ctx.channel().isWritable();
  }

  void waitForParentWritable(YamuxStreamChannel stream) {
    waitingForParent.add(stream);
  }

  // ---- writing frames ----

  /** A WindowUpdate carrying only flags (FIN or RST), plus ACK if the stream still needs one. */
  void sendStreamFrame(YamuxStreamChannel stream, int flags) {
    writeHeader(YamuxFrameType.WINDOW_UPDATE, ackFlags(stream, flags), stream.streamId(), 0);
  }

  void sendWindowUpdate(YamuxStreamChannel stream, long delta) {
    writeHeader(YamuxFrameType.WINDOW_UPDATE, ackFlags(stream, 0), stream.streamId(), delta);
  }

  /**
   * Writes one Data frame of {@code length} bytes made of {@code pieces} (emptied; their ownership
   * passes on) as one buffer, so that the Noise layer keeps it whole inside one of its frames.
   */
  void sendData(YamuxStreamChannel stream, List<ByteBuf> pieces, int length) {
    ByteBuf header = ctx.alloc().heapBuffer(YamuxFrame.HEADER_LENGTH);
    YamuxFrame.writeHeader(header, YamuxFrameType.DATA, ackFlags(stream, 0), stream.streamId(), length);
    CompositeByteBuf frame = ctx.alloc().compositeBuffer(1 + pieces.size());
    frame.addComponent(true, header);
    for (ByteBuf piece : pieces) {
      frame.addComponent(true, piece);
    }
    pieces.clear();
    ctx.write(frame, ctx.voidPromise());
  }

  private int ackFlags(YamuxStreamChannel stream, int flags) {
    if (stream.needsAck && (flags & YamuxFlags.RST) == 0) {
      stream.needsAck = false;
      inboundAwaitingAck--;
      return flags | YamuxFlags.ACK;
    }
    return flags;
  }

  private void writeHeader(YamuxFrameType type, int flags, int streamId, long length) {
    if (!ctx.channel().isActive()) {
      return;
    }
    ByteBuf header = ctx.alloc().buffer(YamuxFrame.HEADER_LENGTH);
    YamuxFrame.writeHeader(header, type, flags, streamId, length);
    ctx.write(header, ctx.voidPromise());
  }

  void flush() {
    ctx.flush();
  }
}
