package io.disjoint.p2p.noise;

import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark program (not a test) for the Noise layer: transport codec throughput (encrypt +
 * decrypt of 64 KiB writes, one thread) and sequential Noise handshakes over TCP on 127.0.0.1.
 *
 * <pre>
 *   ./mvnw -q -pl p2p test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.disjoint.p2p.noise.NoiseBenchmark
 * </pre>
 */
public final class NoiseBenchmark {
  private NoiseBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.out.println("Noise benchmark, " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
    rawCipher();
    codecThroughput();
    tcpHandshakes();
  }

  /** The JDK's ChaCha20-Poly1305 alone on 64 KiB heap arrays: the ceiling for the codec. */
  static void rawCipher() throws Exception {
    javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance("ChaCha20-Poly1305");
    javax.crypto.spec.SecretKeySpec key = new javax.crypto.spec.SecretKeySpec(new byte[32], "ChaCha20");
    byte[] in = new byte[65536];
    byte[] out = new byte[65536 + 16];
    byte[] nonce = new byte[12];
    for (int round = 0; round < 4; round++) {
      long t0 = System.nanoTime();
      int n = 4096;
      for (int i = 0; i < n; i++) {
        nonce[4] = (byte) i;
        nonce[5] = (byte) (i >> 8);
        nonce[6] = (byte) round;
        cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, key, new javax.crypto.spec.IvParameterSpec(nonce));
        cipher.doFinal(in, 0, in.length, out, 0);
      }
      if (round >= 2) {
        System.out.printf("raw JDK ChaCha20-Poly1305 encrypt: %.0f MB/s%n", (double) n * in.length / ((System.nanoTime() - t0) / 1e9) / 1e6);
      }
    }
  }

  static void codecThroughput() {
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    new Random(1).nextBytes(k1);
    new Random(2).nextBytes(k2);
    EmbeddedChannel tx = new EmbeddedChannel(new NoiseFrameCodec(cipher(k1), cipher(k2)));
    EmbeddedChannel rx = new EmbeddedChannel(new NoiseFrameCodec(cipher(k2), cipher(k1)));
    ByteBuf chunk = Unpooled.buffer(65536).writeBytes(new byte[65536]);
    for (int round = 0; round < 6; round++) {
      long bytes = 0;
      long encryptNanos = 0;
      long decryptNanos = 0;
      while (bytes < 256L << 20) {
        long t0 = System.nanoTime();
        tx.writeAndFlush(chunk.retainedDuplicate());
        long t1 = System.nanoTime();
        ByteBuf out;
        while ((out = tx.readOutbound()) != null) {
          rx.writeInbound(out);
        }
        ByteBuf in;
        while ((in = rx.readInbound()) != null) {
          bytes += in.readableBytes();
          in.release();
        }
        encryptNanos += t1 - t0;
        decryptNanos += System.nanoTime() - t1;
      }
      if (round >= 2) { // the first rounds warm up the JIT
        System.out.printf("codec: encrypt %.0f MB/s, decrypt %.0f MB/s (64 KiB writes, one thread)%n",
            bytes / (encryptNanos / 1e9) / 1e6, bytes / (decryptNanos / 1e9) / 1e6);
      }
    }
    chunk.release();
    tx.finishAndReleaseAll();
    rx.finishAndReleaseAll();
  }

  static void tcpHandshakes() throws Exception {
    SecureRandom random = new SecureRandom();
    PrivKey serverKey = PrivKey.generate(KeyType.ED25519, random);
    PrivKey clientKey = PrivKey.generate(KeyType.ED25519, random);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new NoiseHandshakeHandler(serverKey, false, Optional.empty(), List.of()));
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      for (int round = 0; round < 3; round++) {
        int n = 500;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          NoiseHandshakeHandler handshake =
              new NoiseHandshakeHandler(clientKey, true, Optional.of(serverKey.peerId()), List.of());
          Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
              .handler(handshake).connect(server.localAddress()).sync().channel();
          handshake.handshakeFuture().get(10, TimeUnit.SECONDS);
          ch.close().sync();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (round > 0) {
          System.out.printf("tcp: %.0f sequential dial + Noise handshake + close per second%n", n / seconds);
        }
      }
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static CipherState cipher(byte[] key) {
    CipherState c = new CipherState();
    c.initializeKey(key);
    return c;
  }
}
