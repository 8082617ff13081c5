package io.disjoint.p2p.multistream;

import io.disjoint.p2p.P2pException.Fault;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Negotiates one protocol with multistream-select 1.0, then removes itself and passes any bytes
 * that followed the agreement (they may share a frame with the echo) to the next handler.
 *
 * <p>The dialer pipelines the header and its first proposal in one write and moves down its list
 * on "na". The listener echoes the header, answers "na" to protocols it does not support and
 * echoes the first one it does. {@link Callback#agreed} runs on the event loop before the handler
 * is removed, so the next stage can be installed behind it in time for the trailing bytes.
 */
public final class MultistreamNegotiator extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(MultistreamNegotiator.class);
  /** Proposals a listener answers before it gives up on a dialer. */
  static final int MAX_LISTENER_PROPOSALS = 32;
  private static final byte[] EXPECTED_HEADER = encodedHeader();

  private static byte[] encodedHeader() {
    ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    MultistreamProtocol.writeLine(buf, MultistreamProtocol.HEADER);
    byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(buf);
    buf.release();
    return bytes;
  }

  /** Outcome of a negotiation; both methods run on the channel's event loop. */
  public interface Callback {
    void agreed(Channel channel, String protocol);

    /** The channel is closed right after this returns. */
    default void failed(Channel channel, MultistreamException cause) {}
  }

  private enum State {
    AWAIT_HEADER,
    AWAIT_ANSWER,
    AWAIT_PROPOSAL,
    DONE,
    FAILED
  }

  private final boolean dialer;
  private final List<String> proposals;
  private final Predicate<String> supported;
  private final Callback callback;
  private final MultistreamLineReader reader = new MultistreamLineReader();
  private State state = State.AWAIT_HEADER;
  private int proposalIndex;
  private int proposalsAnswered;
  private boolean started;
  private ByteBuf cumulation;

  private MultistreamNegotiator(
      boolean dialer, List<String> proposals, Predicate<String> supported, Callback callback) {
    this.dialer = dialer;
    this.proposals = proposals;
    this.supported = supported;
    this.callback = Objects.requireNonNull(callback, "callback");
  }

  /** A dialer that proposes {@code protocols} in order until the listener accepts one. */
  public static MultistreamNegotiator dialer(List<String> protocols, Callback callback) {
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("dialer needs at least one protocol to propose");
    }
    return new MultistreamNegotiator(true, List.copyOf(protocols), p -> false, callback);
  }

  /** A listener that accepts the first proposal for which {@code supported} is true. */
  public static MultistreamNegotiator listener(Predicate<String> supported, Callback callback) {
    return new MultistreamNegotiator(false, List.of(), supported, callback);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    if (dialer) {
      ctx.writeAndFlush(
          MultistreamProtocol.encode(ctx.alloc(), MultistreamProtocol.HEADER, proposals.get(0)));
    }
    if (!ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (state == State.DONE) {
      ctx.fireChannelRead(in);
      return;
    }
    if (state == State.FAILED) {
      in.release();
      return;
    }
    // Copy: negotiation lines are tiny, and the input is released at once.
    if (cumulation == null) {
      cumulation = ctx.alloc().buffer(in.readableBytes());
    }
    cumulation.writeBytes(in);
    in.release();
    try {
      if (state == State.AWAIT_HEADER) {
        checkHeaderPrefix(cumulation);
        if (cumulation.readableBytes() < EXPECTED_HEADER.length) {
          return;
        }
      }
      boolean wrote = false;
      String line;
      while (state.compareTo(State.DONE) < 0 && (line = reader.next(cumulation)) != null) {
        wrote |= onLine(ctx, line);
      }
      if (wrote) {
        ctx.flush();
      }
      if (state == State.DONE) {
        ctx.pipeline().remove(this);
      }
    } catch (MultistreamException e) {
      fail(ctx, e);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (state.compareTo(State.DONE) < 0 && !ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }

  /**
   * Fails fast on bytes that cannot start the header (HTTP, TLS, ...) instead of waiting for a
   * line whose length prefix is really a letter.
   */
  private static void checkHeaderPrefix(ByteBuf in) {
    int n = Math.min(in.readableBytes(), EXPECTED_HEADER.length);
    for (int i = 0; i < n; i++) {
      if (in.getByte(in.readerIndex() + i) != EXPECTED_HEADER[i]) {
        throw new MultistreamException(Fault.PEER,
            "bytes before the multistream header: not a libp2p peer or wrong protocol");
      }
    }
  }

  /** Handles one line; returns true if it wrote something. */
  private boolean onLine(ChannelHandlerContext ctx, String line) {
    switch (state) {
      case AWAIT_HEADER -> {
        if (!MultistreamProtocol.HEADER.equals(line)) {
          throw new MultistreamException(
              Fault.PEER, "expected multistream header, got '" + MultistreamLineReader.sanitize(line) + "'");
        }
        if (dialer) {
          state = State.AWAIT_ANSWER;
          return false;
        }
        state = State.AWAIT_PROPOSAL;
        ctx.write(MultistreamProtocol.encode(ctx.alloc(), MultistreamProtocol.HEADER));
        return true;
      }
      case AWAIT_ANSWER -> {
        String proposed = proposals.get(proposalIndex);
        if (proposed.equals(line)) {
          agree(ctx, proposed);
          return false;
        }
        if (!MultistreamProtocol.NOT_AVAILABLE.equals(line)) {
          throw new MultistreamException(
              Fault.PEER,
              "listener answered '" + MultistreamLineReader.sanitize(line) + "' to " + proposed);
        }
        proposalIndex++;
        if (proposalIndex == proposals.size()) {
          throw new MultistreamException(Fault.PEER, "remote supports none of " + proposals);
        }
        ctx.write(MultistreamProtocol.encode(ctx.alloc(), proposals.get(proposalIndex)));
        return true;
      }
      case AWAIT_PROPOSAL -> {
        if (!MultistreamProtocol.LIST.equals(line) && supported.test(line)) {
          ctx.write(MultistreamProtocol.encode(ctx.alloc(), line));
          agree(ctx, line);
          return true;
        }
        if (++proposalsAnswered > MAX_LISTENER_PROPOSALS) {
          throw new MultistreamException(
              Fault.PEER, "dialer proposed more than " + MAX_LISTENER_PROPOSALS + " protocols");
        }
        ctx.write(MultistreamProtocol.encode(ctx.alloc(), MultistreamProtocol.NOT_AVAILABLE));
        return true;
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void agree(ChannelHandlerContext ctx, String protocol) {
    state = State.DONE;
    callback.agreed(ctx.channel(), protocol);
  }

  private void fail(ChannelHandlerContext ctx, MultistreamException e) {
    state = State.FAILED;
    releaseCumulation();
    LOG.debug("multistream negotiation failed on {}: {}", ctx.channel(), e.getMessage());
    try {
      callback.failed(ctx.channel(), e);
    } finally {
      ctx.close();
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    ByteBuf rest = cumulation;
    cumulation = null;
    if (rest == null) {
      return;
    }
    if (rest.isReadable()) {
      ctx.fireChannelRead(rest);
      ctx.fireChannelReadComplete();
    } else {
      rest.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (state.compareTo(State.DONE) < 0) {
      state = State.FAILED;
      releaseCumulation();
      callback.failed(
          ctx.channel(), new MultistreamException(Fault.NONE, "channel closed during negotiation"));
    }
    ctx.fireChannelInactive();
  }

  private void releaseCumulation() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }
}
