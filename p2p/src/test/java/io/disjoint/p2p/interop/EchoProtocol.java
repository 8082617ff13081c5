package io.disjoint.p2p.interop;

import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.api.StreamHandler;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.wire.DecodeException;
import io.disjoint.p2p.wire.Uvarint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The interop test protocol {@value #ID}: each message is uvarint length + bytes; the responder
 * writes every message back unchanged and closes when the requester half-closes. The js peer
 * (libp2p-common.mjs) implements the same protocol with @libp2p/utils' lpStream.
 */
final class EchoProtocol {
  static final String ID = "/disjoint/echo/1.0.0";
  static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  private EchoProtocol() {}

  /** The responder; {@code served} counts answered messages. */
  static StreamHandler responder(AtomicInteger served) {
    return stream ->
        stream.channel().pipeline().addLast(new LengthPrefixDecoder(MAX_MESSAGE_BYTES), new Responder(served));
  }

  /** Opens a stream to {@code peer}, sends one message and completes with the reply. */
  static CompletableFuture<byte[]> call(Host host, PeerId peer, byte[] payload) {
    return host.newStream(peer, ID).thenCompose(stream -> call(stream, payload));
  }

  static CompletableFuture<byte[]> call(Stream stream, byte[] payload) {
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    stream.channel().eventLoop().execute(() -> {
      stream.channel().pipeline().addLast(new LengthPrefixDecoder(MAX_MESSAGE_BYTES), new Requester(reply));
      stream.channel().writeAndFlush(frame(stream.channel().alloc().buffer(payload.length + 5), payload))
          .addListener(f -> {
            if (!f.isSuccess()) {
              reply.completeExceptionally(f.cause());
            }
          });
    });
    return reply.whenComplete((bytes, error) -> stream.channel().close());
  }

  private static ByteBuf frame(ByteBuf out, byte[] payload) {
    Uvarint.write(out, payload.length);
    out.writeBytes(payload);
    return out;
  }

  /** Splits uvarint-length-prefixed messages; the length is checked before the body is buffered. */
  static final class LengthPrefixDecoder extends ByteToMessageDecoder {
    private enum State { LENGTH, BODY }

    private final int maxBytes;
    private State state = State.LENGTH;
    private int bodyLength;

    LengthPrefixDecoder(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      while (true) {
        switch (state) {
          case LENGTH -> {
            long length = Uvarint.read(in, maxBytes);
            if (length == Uvarint.NEED_MORE) {
              return;
            }
            bodyLength = (int) length;
            state = State.BODY;
          }
          case BODY -> {
            if (in.readableBytes() < bodyLength) {
              return;
            }
            out.add(in.readRetainedSlice(bodyLength));
            state = State.LENGTH;
          }
        }
      }
    }
  }

  private static final class Responder extends SimpleChannelInboundHandler<ByteBuf> {
    private final AtomicInteger served;

    Responder(AtomicInteger served) {
      this.served = served;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf message) {
      ByteBuf out = ctx.alloc().buffer(message.readableBytes() + 5);
      Uvarint.write(out, message.readableBytes());
      out.writeBytes(message);
      ctx.writeAndFlush(out);
      served.incrementAndGet();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.close();
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static final class Requester extends SimpleChannelInboundHandler<ByteBuf> {
    private final CompletableFuture<byte[]> reply;

    Requester(CompletableFuture<byte[]> reply) {
      this.reply = reply;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf message) {
      reply.complete(ByteBufUtil.getBytes(message));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      reply.completeExceptionally(new IllegalStateException("echo stream closed before a reply"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      reply.completeExceptionally(cause instanceof DecodeException ? cause : new IllegalStateException(cause));
      ctx.close();
    }
  }
}
