package io.disjoint.p2p.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Noise over real TCP sockets on 127.0.0.1: handshake, a 32 MiB transfer, and a wrong-peer dial. */
class NoiseTcpLoopbackTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final PrivKey serverKey = PrivKey.generate(KeyType.ED25519, RANDOM);
  private final PrivKey clientKey = PrivKey.generate(KeyType.SECP256K1, RANDOM);
  private final LinkedBlockingQueue<NoiseHandshakeHandler> serverHandshakes = new LinkedBlockingQueue<>();
  private final CompletableFuture<byte[]> serverDigest = new CompletableFuture<>();
  private EventLoopGroup group;
  private Channel server;
  private static final long TRANSFER = 32L << 20;

  /** Hashes everything received until TRANSFER bytes arrived, then answers "done". */
  private final class DigestingSink extends ChannelInboundHandlerAdapter {
    private final MessageDigest sha;
    private long received;

    DigestingSink() throws Exception {
      sha = MessageDigest.getInstance("SHA-256");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        received += buf.readableBytes();
        sha.update(buf.nioBuffer());
      } finally {
        buf.release();
      }
      if (received == TRANSFER) {
        serverDigest.complete(sha.digest());
        ctx.writeAndFlush(Unpooled.wrappedBuffer("done".getBytes()));
      }
    }
  }

  @BeforeEach
  void startServer() throws Exception {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) throws Exception {
            NoiseHandshakeHandler handshake = new NoiseHandshakeHandler(serverKey, false, Optional.empty(), List.of("/yamux/1.0.0"));
            serverHandshakes.add(handshake);
            ch.pipeline().addLast("noise", handshake).addLast(new DigestingSink());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  @AfterEach
  void stop() throws Exception {
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private record Dialed(NoiseHandshakeHandler handshake, Channel channel) {}

  private Dialed dial(Optional<PeerId> expected, ChannelInboundHandlerAdapter sink) throws Exception {
    NoiseHandshakeHandler handshake = new NoiseHandshakeHandler(clientKey, true, expected, List.of("/yamux/1.0.0"));
    Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast("noise", handshake).addLast(sink);
          }
        })
        .connect(server.localAddress()).sync().channel();
    return new Dialed(handshake, channel);
  }

  @Test
  void handshakeAndBulkTransferOverTcp() throws Exception {
    CompletableFuture<String> reply = new CompletableFuture<>();
    Dialed dialed = dial(Optional.of(serverKey.peerId()), new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        reply.complete(buf.toString(java.nio.charset.StandardCharsets.US_ASCII));
        buf.release();
      }
    });
    NoiseHandshakeComplete done = dialed.handshake().handshakeFuture().get(10, TimeUnit.SECONDS);
    assertEquals(serverKey.peerId(), done.remotePeer());
    assertEquals(List.of("/yamux/1.0.0"), done.remoteMuxers());
    NoiseHandshakeComplete atServer = serverHandshakes.take().handshakeFuture().get(10, TimeUnit.SECONDS);
    assertEquals(clientKey.peerId(), atServer.remotePeer());

    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[65536];
    Random64 random = new Random64(42);
    Channel channel = dialed.channel();
    long sent = 0;
    while (sent < TRANSFER) {
      random.fill(chunk);
      sha.update(chunk);
      ByteBuf buf = channel.alloc().heapBuffer(chunk.length).writeBytes(chunk);
      // respect backpressure: wait while the socket's outbound buffer is full
      while (!channel.isWritable()) {
        Thread.sleep(1);
      }
      channel.writeAndFlush(buf);
      sent += chunk.length;
    }
    assertArrayEquals(sha.digest(), serverDigest.get(30, TimeUnit.SECONDS));
    assertEquals("done", reply.get(10, TimeUnit.SECONDS));
    channel.close().sync();
  }

  @Test
  void dialingTheWrongPeerIdFailsAndClosesTheConnection() throws Exception {
    PeerId stranger = PrivKey.generate(KeyType.ED25519, RANDOM).peerId();
    NoiseHandshakeHandler client = dial(Optional.of(stranger), new ChannelInboundHandlerAdapter()).handshake();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> client.handshakeFuture().get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().startsWith("dialed " + stranger + " but remote is " + serverKey.peerId()));
    // the server side never completes: the initiator closed instead of sending message 3
    ExecutionException atServer = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> serverHandshakes.take().handshakeFuture().get(10, TimeUnit.SECONDS));
    assertEquals(NoiseException.Fault.NONE, ((NoiseException) atServer.getCause()).fault());
  }

  /** Fast deterministic filler so the digest covers non-constant data. */
  private static final class Random64 {
    private long state;

    Random64(long seed) {
      state = seed;
    }

    void fill(byte[] b) {
      for (int i = 0; i < b.length; i += 8) {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        for (int j = 0; j < 8; j++) {
          b[i + j] = (byte) (state >>> (8 * j));
        }
      }
    }
  }
}
