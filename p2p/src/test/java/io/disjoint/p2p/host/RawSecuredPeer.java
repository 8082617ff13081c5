package io.disjoint.p2p.host;

import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.multistream.MultistreamNegotiator;
import io.disjoint.p2p.noise.NoiseHandshakeComplete;
import io.disjoint.p2p.noise.NoiseHandshakeHandler;
import io.disjoint.p2p.transport.ConnectionUpgrader;
import io.disjoint.p2p.yamux.YamuxFrame;
import io.disjoint.p2p.yamux.YamuxFrameDecoder;
import io.disjoint.p2p.yamux.YamuxFrameType;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A misbehaving peer for tests: a real TCP connection that completes multistream and Noise
 * properly (with inlined muxer negotiation), then writes whatever raw Yamux bytes a test wants
 * and records the frames it gets back.
 */
final class RawSecuredPeer implements AutoCloseable {
  /** A received frame without its payload. */
  record Received(YamuxFrameType type, int flags, int streamId, long length) {}

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  final LinkedBlockingQueue<Received> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<NoiseHandshakeComplete> secured = new CompletableFuture<>();
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  final Channel channel;

  final CompletableFuture<String> muxerSelected = new CompletableFuture<>();
  private final boolean inlineMuxer;

  RawSecuredPeer(InetSocketAddress target, PeerId expected) {
    this(target, expected, true);
  }

  /**
   * @param inlineMuxer whether to offer "/yamux/1.0.0" in the Noise extensions; if not, the muxer
   *     is selected with a second multistream round, as peers without early negotiation do
   */
  RawSecuredPeer(InetSocketAddress target, PeerId expected, boolean inlineMuxer) {
    this.inlineMuxer = inlineMuxer;
    List<String> muxers = inlineMuxer ? List.of(ConnectionUpgrader.YAMUX) : List.of();
    PrivKey key = PrivKey.generate(KeyType.ED25519, new SecureRandom());
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("security-select", MultistreamNegotiator.dialer(
                List.of(ConnectionUpgrader.NOISE), (c, protocol) -> c.pipeline().addAfter(
                    "security-select", "noise", new NoiseHandshakeHandler(key, true,
                        Optional.of(expected), muxers))));
            ch.pipeline().addLast("yamux-frames", new YamuxFrameDecoder(1 << 25));
            ch.pipeline().addLast(new Collector());
          }
        });
    channel = b.connect(target).syncUninterruptibly().channel();
    secured.orTimeout(10, TimeUnit.SECONDS).join();
    muxerSelected.orTimeout(10, TimeUnit.SECONDS).join();
  }

  private final class Collector extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof NoiseHandshakeComplete done) {
        secured.complete(done);
        if (inlineMuxer) {
          muxerSelected.complete(ConnectionUpgrader.YAMUX);
        } else {
          ctx.pipeline().addBefore("yamux-frames", "muxer-select", MultistreamNegotiator.dialer(
              List.of(ConnectionUpgrader.YAMUX), (c, protocol) -> muxerSelected.complete(protocol)));
        }
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      YamuxFrame f = (YamuxFrame) msg;
      frames.add(new Received(f.type(), f.flags(), f.streamId(), f.length()));
      f.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.complete(null);
      muxerSelected.completeExceptionally(new IllegalStateException("closed before the muxer was selected"));
      secured.completeExceptionally(new IllegalStateException("closed before the handshake finished"));
    }
  }

  /** Writes a raw Yamux frame (header and optional payload) through Noise. */
  void sendFrame(YamuxFrameType type, int flags, int streamId, long length, byte[] payload) {
    ByteBuf out = Unpooled.buffer(YamuxFrame.HEADER_LENGTH + (payload == null ? 0 : payload.length));
    YamuxFrame.writeHeader(out, type, flags, streamId, length);
    if (payload != null) {
      out.writeBytes(payload);
    }
    channel.write(out);
  }

  void flush() {
    channel.flush();
  }

  /** The next received frame matching the type, or null after the timeout. */
  Received await(YamuxFrameType type, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      Received r = frames.poll(50, TimeUnit.MILLISECONDS);
      if (r != null && r.type() == type) {
        return r;
      }
    }
    return null;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
