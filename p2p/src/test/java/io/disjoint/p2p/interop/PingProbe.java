package io.disjoint.p2p.interop;

import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.crypto.PeerId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * One libp2p ping ("/ipfs/ping/1.0.0": 32 random bytes, echoed) spoken directly on a stream the
 * Java host negotiates, so the test checks the js peer's responder byte for byte.
 */
final class PingProbe {
  static final String ID = "/ipfs/ping/1.0.0";
  private static final SecureRandom RANDOM = new SecureRandom();

  private PingProbe() {}

  /** Completes with the round-trip time, or exceptionally if the echo differs or the stream ends. */
  static CompletableFuture<Duration> ping(Host host, PeerId peer) {
    byte[] payload = new byte[32];
    RANDOM.nextBytes(payload);
    return host.newStream(peer, ID).thenCompose(stream -> {
      CompletableFuture<Duration> rtt = new CompletableFuture<>();
      stream.channel().eventLoop().execute(() -> {
        long started = System.nanoTime();
        stream.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
          private final ByteBuf received = Unpooled.buffer(32);

          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
              received.writeBytes(buf, Math.min(buf.readableBytes(), 32 - received.readableBytes()));
            } finally {
              buf.release();
            }
            if (received.readableBytes() == 32) {
              byte[] echoed = ByteBufUtil.getBytes(received);
              if (Arrays.equals(echoed, payload)) {
                rtt.complete(Duration.ofNanos(System.nanoTime() - started));
              } else {
                rtt.completeExceptionally(new AssertionError("ping echo differs from what was sent"));
              }
              ctx.close();
            }
          }

          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            rtt.completeExceptionally(new AssertionError("ping stream closed after " + received.readableBytes() + " of 32 bytes"));
            ctx.fireChannelInactive();
          }

          @Override
          public void handlerRemoved(ChannelHandlerContext ctx) {
            received.release();
          }
        });
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(payload));
      });
      return rtt;
    });
  }
}
