package io.disjoint.p2p.ping;

import io.disjoint.p2p.P2pException.Fault;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.crypto.PeerId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Ping "/ipfs/ping/1.0.0": the initiator sends 32 random bytes and the responder echoes them, as
 * many times as the initiator likes on one stream, until the initiator half-closes.
 */
public final class PingService {
  public static final String ID = "/ipfs/ping/1.0.0";
  public static final int PAYLOAD_BYTES = 32;

  private final Host host;
  private final Random random;
  private final LongSupplier nanoTime;

  public PingService(Host host, Random random) {
    this(host, random, System::nanoTime);
  }

  public PingService(Host host, Random random, LongSupplier nanoTime) {
    this.host = Objects.requireNonNull(host, "host");
    this.random = Objects.requireNonNull(random, "random");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** Handler for inbound ping streams. */
  public void respond(Stream stream) {
    stream.channel().pipeline().addLast("ping-echo", new PingEchoHandler());
  }

  /** One round trip to {@code peer}, connecting if needed. */
  public CompletableFuture<Duration> ping(PeerId peer) {
    return ping(peer, 1).thenApply(l -> l.get(0));
  }

  /** {@code count} round trips on one stream. */
  public CompletableFuture<List<Duration>> ping(PeerId peer, int count) {
    return host.newStream(peer, ID).thenCompose(s -> ping(s, count));
  }

  /** {@code count} round trips on a new stream of {@code connection}. */
  public CompletableFuture<List<Duration>> ping(Connection connection, int count) {
    return connection.newStream(ID).thenCompose(s -> ping(s, count));
  }

  private CompletableFuture<List<Duration>> ping(Stream stream, int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("count must be positive");
    }
    CompletableFuture<List<Duration>> result = new CompletableFuture<>();
    stream.channel().pipeline().addLast("ping", new Requester(stream, count, result));
    return result;
  }

  private final class Requester extends ChannelInboundHandlerAdapter {
    private final Stream stream;
    private final int count;
    private final CompletableFuture<List<Duration>> result;
    private final List<Duration> rtts = new ArrayList<>();
    private final byte[] sent = new byte[PAYLOAD_BYTES];
    private ByteBuf echo;
    private long sentAt;

    Requester(Stream stream, int count, CompletableFuture<List<Duration>> result) {
      this.stream = stream;
      this.count = count;
      this.result = result;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      echo = ctx.alloc().buffer(PAYLOAD_BYTES, PAYLOAD_BYTES);
      sendOne(ctx);
    }

    private void sendOne(ChannelHandlerContext ctx) {
      random.nextBytes(sent);
      sentAt = nanoTime.getAsLong();
      ctx.writeAndFlush(Unpooled.wrappedBuffer(sent.clone()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf in)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      try {
        while (in.isReadable() && !result.isDone()) {
          echo.writeBytes(in, Math.min(in.readableBytes(), echo.writableBytes()));
          if (echo.isWritable()) {
            return;
          }
          long rtt = nanoTime.getAsLong() - sentAt;
          if (!io.netty.buffer.ByteBufUtil.equals(echo, Unpooled.wrappedBuffer(sent))) {
            fail(new PingException(Fault.PEER, stream.remotePeer() + " echoed different ping bytes"));
            return;
          }
          echo.clear();
          rtts.add(Duration.ofNanos(rtt));
          if (rtts.size() == count) {
            result.complete(List.copyOf(rtts));
            stream.closeWrite();
          } else {
            sendOne(ctx);
          }
        }
      } finally {
        in.release();
      }
    }

    private void fail(PingException e) {
      result.completeExceptionally(e);
      stream.reset();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!result.isDone()) {
        result.completeExceptionally(new PingException(Fault.NONE,
            "ping stream to " + stream.remotePeer() + " closed after " + rtts.size() + " of " + count));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      if (echo != null) {
        echo.release();
        echo = null;
      }
    }
  }
}
