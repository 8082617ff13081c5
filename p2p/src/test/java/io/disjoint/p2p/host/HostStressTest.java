package io.disjoint.p2p.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.api.Stream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostStressTest {
  static final String SINK = "/test/sink/1.0.0";
  private final HostTestSupport hosts = new HostTestSupport();

  @AfterEach
  void stop() {
    hosts.close();
  }

  @Test
  void thousandConcurrentStreamsOnOneConnection() {
    HostConfig.Builder roomy = HostConfig.builder().maxInboundStreamsPerPeer(1100);
    Libp2pHost a = hosts.start(roomy);
    Libp2pHost b = hosts.start(roomy);
    TwoHostTest.installUpperServer(b);
    a.dial(b.listenAddrs().get(0).withPeerId(b.peerId())).orTimeout(10, TimeUnit.SECONDS).join();

    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String text = "request " + i;
      answers.add(a.newStream(b.peerId(), TwoHostTest.ECHO_UPPER)
          .thenCompose(s -> TwoHostTest.request(s, text)));
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
    for (int i = 0; i < 1000; i++) {
      assertEquals("REQUEST " + i, answers.get(i).join());
    }
    assertEquals(1, a.connections().size(), "all streams shared one connection");
  }

  /** Counts and hashes what arrives; on the remote's FIN answers with count and digest. */
  static final class DigestSink extends ChannelInboundHandlerAdapter {
    private final MessageDigest digest = sha256();
    private long count;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      count += buf.readableBytes();
      digest.update(buf.nioBuffer());
      buf.release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ByteBuf out = ctx.alloc().buffer(40).writeLong(count).writeBytes(digest.digest());
        ctx.writeAndFlush(out).addListener(f -> ctx.close());
      }
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Writes {@code total} bytes in chunks while the channel is writable, then half-closes. */
  static final class WritabilityRespectingWriter extends ChannelInboundHandlerAdapter {
    final byte[] chunk;
    final long total;
    final Stream stream;
    final AtomicBoolean sawBackpressure = new AtomicBoolean();
    final CompletableFuture<ByteBuf> reply = new CompletableFuture<>();
    long written;
    ByteBuf received;

    WritabilityRespectingWriter(Stream stream, byte[] chunk, long total) {
      this.stream = stream;
      this.chunk = chunk;
      this.total = total;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      received = ctx.alloc().buffer(40);
      ctx.executor().execute(() -> writeMore(ctx.channel()));
    }

    void writeMore(Channel ch) {
      while (written < total && ch.isWritable()) {
        int n = (int) Math.min(chunk.length, total - written);
        ch.write(ch.alloc().buffer(n).writeBytes(chunk, 0, n));
        written += n;
      }
      ch.flush();
      if (written < total) {
        sawBackpressure.set(true);
      } else {
        stream.closeWrite();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && written < total) {
        writeMore(ctx.channel());
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      received.writeBytes(buf);
      buf.release();
      if (received.readableBytes() >= 40) {
        reply.complete(received.retainedSlice(0, 40));
      }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      received.release();
    }
  }

  @Test
  void sixtyFourMebibyteTransferRespectsFlowControl() {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start();
    b.setStreamHandler(SINK, s -> s.channel().pipeline().addLast(new DigestSink()));
    a.dial(b.listenAddrs().get(0).withPeerId(b.peerId())).orTimeout(10, TimeUnit.SECONDS).join();

    byte[] chunk = new byte[64 * 1024];
    new Random(42).nextBytes(chunk);
    long total = 64L * 1024 * 1024;
    MessageDigest expected = sha256();
    for (long i = 0; i < total / chunk.length; i++) {
      expected.update(chunk);
    }
    Stream s = a.newStream(b.peerId(), SINK).orTimeout(10, TimeUnit.SECONDS).join();
    WritabilityRespectingWriter writer = new WritabilityRespectingWriter(s, chunk, total);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    s.channel().pipeline().addLast(writer);
    ByteBuf reply = writer.reply.orTimeout(120, TimeUnit.SECONDS).join();
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
    try {
      assertEquals(total, reply.getLong(0), "receiver got every byte");
      byte[] digest = new byte[32];
      reply.getBytes(8, digest);
      assertArrayEquals(expected.digest(), digest, "in order and intact");
    } finally {
      reply.release();
    }
    assertTrue(writer.sawBackpressure.get(), "the writer was held back by the stream window");
    assertEquals(1, a.connections().size(), "no window overrun closed the connection");
    // Both hosts run in this JVM: the CPU figure covers sender and receiver (Noise both ways,
    // Yamux, and the SHA-256 of the check on each side).
    System.out.printf("64 MiB over one stream in %.2f s (%.0f MB/s), %.2f s of process CPU%n",
        seconds, total / seconds / 1e6, cpuSeconds);
  }
}
