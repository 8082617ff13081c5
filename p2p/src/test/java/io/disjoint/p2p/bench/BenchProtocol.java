package io.disjoint.p2p.bench;

import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.api.StreamHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.concurrent.CompletableFuture;

/**
 * The throughput protocol {@value #ID}, the same as testnet/js/libp2p-bench.mjs: the writer sends
 * bytes and half-closes; the sink counts them and answers with the count as 8 bytes big-endian,
 * then closes. The writer's clock stops when that answer arrives, so every byte was delivered.
 */
final class BenchProtocol {
  static final String ID = "/disjoint/bench/1.0.0";
  static final int WRITE_SIZE = 64 * 1024;
  /**
   * One shared read-only heap chunk, as the js bench reuses one Uint8Array: no per-write fill cost,
   * and application bytes on the heap as a relay payload would be.
   */
  private static final ByteBuf PAYLOAD =
      Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[WRITE_SIZE]).asReadOnly());

  private BenchProtocol() {}

  static StreamHandler sink() {
    return stream -> stream.channel().pipeline().addLast(new Sink());
  }

  private static final class Sink extends ChannelInboundHandlerAdapter {
    private long received;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      received += buf.readableBytes();
      buf.release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.writeAndFlush(ctx.alloc().buffer(8).writeLong(received)).addListener(f -> ctx.close());
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /**
   * Writes {@code bytes} in {@link #WRITE_SIZE} writes, respecting the channel's writability (the
   * Yamux send window), half-closes, and completes when the sink's count arrives and matches.
   */
  static CompletableFuture<Void> send(Stream stream, long bytes) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Channel ch = stream.channel();
    ch.eventLoop().execute(() -> ch.pipeline().addLast(new Writer(stream, bytes, done)));
    return done;
  }

  private static final class Writer extends ChannelInboundHandlerAdapter {
    private final Stream stream;
    private final long total;
    private final CompletableFuture<Void> done;
    private final ByteBuf ack;
    private long written;
    private boolean halfClosed;

    Writer(Stream stream, long total, CompletableFuture<Void> done) {
      this.stream = stream;
      this.total = total;
      this.done = done;
      this.ack = stream.channel().alloc().buffer(8);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      pump(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      pump(ctx);
      ctx.fireChannelWritabilityChanged();
    }

    private void pump(ChannelHandlerContext ctx) {
      Channel ch = ctx.channel();
      while (written < total && ch.isWritable()) {
        int n = (int) Math.min(WRITE_SIZE, total - written);
        written += n;
        ctx.write(PAYLOAD.slice(0, n)).addListener(f -> {
          if (!f.isSuccess()) {
            done.completeExceptionally(f.cause());
          }
        });
      }
      ctx.flush();
      if (written == total && !halfClosed) {
        halfClosed = true;
        stream.closeWrite();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        ack.writeBytes(buf, Math.min(buf.readableBytes(), ack.writableBytes()));
      } finally {
        buf.release();
      }
      if (ack.readableBytes() == 8) {
        long counted = ack.readLong();
        if (counted == total) {
          done.complete(null);
        } else {
          done.completeExceptionally(new IllegalStateException("sink counted " + counted + " of " + total + " bytes"));
        }
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      done.completeExceptionally(new IllegalStateException("stream closed after " + written + " bytes written, before the sink's count"));
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      ack.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      done.completeExceptionally(cause);
      ctx.close();
    }
  }
}
