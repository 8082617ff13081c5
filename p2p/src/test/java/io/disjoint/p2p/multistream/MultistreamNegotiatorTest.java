package io.disjoint.p2p.multistream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MultistreamNegotiatorTest {

  /** Records the negotiation outcome and collects the bytes that reach the next handler. */
  static final class Outcome implements MultistreamNegotiator.Callback {
    String agreed;
    MultistreamException failure;

    @Override
    public void agreed(Channel channel, String protocol) {
      agreed = protocol;
    }

    @Override
    public void failed(Channel channel, MultistreamException cause) {
      failure = cause;
    }
  }

  static final class Collector extends ChannelInboundHandlerAdapter {
    final ByteBuf received = Unpooled.buffer();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      received.writeBytes(buf);
      buf.release();
    }
  }

  static byte[] lines(String... lines) {
    ByteBuf buf = MultistreamProtocol.encode(Unpooled.buffer().alloc(), lines);
    byte[] bytes = ByteBufUtil.getBytes(buf);
    buf.release();
    return bytes;
  }

  static byte[] concat(byte[]... parts) {
    ByteBuf all = Unpooled.buffer();
    for (byte[] p : parts) {
      all.writeBytes(p);
    }
    byte[] out = ByteBufUtil.getBytes(all);
    all.release();
    return out;
  }

  static byte[] drainOutbound(EmbeddedChannel ch) {
    ByteBuf all = Unpooled.buffer();
    ByteBuf out;
    while ((out = ch.readOutbound()) != null) {
      all.writeBytes(out);
      assertTrue(out.release(), "outbound buffer must be released exactly once by the reader");
    }
    byte[] bytes = ByteBufUtil.getBytes(all);
    all.release();
    return bytes;
  }

  /** Feeds {@code input} in chunks of {@code chunk} bytes, asserting each chunk is released. */
  static void feed(EmbeddedChannel ch, byte[] input, int chunk) {
    for (int i = 0; i < input.length; i += chunk) {
      ByteBuf part = Unpooled.copiedBuffer(input, i, Math.min(chunk, input.length - i));
      ch.writeInbound(part);
      assertEquals(0, part.refCnt(), "inbound chunk must be released or passed on");
    }
  }

  @Test
  void listenerAcceptsPipelinedProposalAndPassesTrailingBytesInEveryFragmentation() {
    byte[] payload = "hello after the echo".getBytes(StandardCharsets.UTF_8);
    byte[] input = concat(lines(MultistreamProtocol.HEADER, "/unknown/1", "/echo/1.0.0"), payload);
    for (int chunk = 1; chunk <= input.length; chunk++) {
      Outcome outcome = new Outcome();
      Collector collector = new Collector();
      EmbeddedChannel ch = new EmbeddedChannel(
          MultistreamNegotiator.listener(Set.of("/echo/1.0.0")::contains, outcome), collector);
      feed(ch, input, chunk);
      assertEquals("/echo/1.0.0", outcome.agreed, "chunk size " + chunk);
      assertNull(ch.pipeline().get(MultistreamNegotiator.class), "negotiator removes itself");
      assertEquals(new String(payload, StandardCharsets.UTF_8),
          collector.received.toString(StandardCharsets.UTF_8));
      byte[] expectedOut = lines(MultistreamProtocol.HEADER, "na", "/echo/1.0.0");
      assertEquals(ByteBufUtil.hexDump(expectedOut), ByteBufUtil.hexDump(drainOutbound(ch)));
      assertTrue(ch.isOpen());
      collector.received.release();
      assertFalse(ch.finishAndReleaseAll());
    }
  }

  @Test
  void dialerPipelinesHeaderAndProposalThenFallsBackOnNa() {
    for (int split = 1; split < 60; split++) {
      Outcome outcome = new Outcome();
      Collector collector = new Collector();
      EmbeddedChannel ch = new EmbeddedChannel(
          MultistreamNegotiator.dialer(List.of("/a/1", "/b/2"), outcome), collector);
      assertEquals(ByteBufUtil.hexDump(lines(MultistreamProtocol.HEADER, "/a/1")),
          ByteBufUtil.hexDump(drainOutbound(ch)));
      byte[] answer = concat(lines(MultistreamProtocol.HEADER, "na"));
      feed(ch, answer, Math.min(split, answer.length));
      assertEquals(ByteBufUtil.hexDump(lines("/b/2")), ByteBufUtil.hexDump(drainOutbound(ch)));
      assertNull(outcome.agreed);
      byte[] echoAndData = concat(lines("/b/2"), new byte[] {1, 2, 3});
      feed(ch, echoAndData, Math.min(split, echoAndData.length));
      assertEquals("/b/2", outcome.agreed);
      assertEquals("010203", ByteBufUtil.hexDump(collector.received));
      collector.received.release();
      assertFalse(ch.finishAndReleaseAll());
    }
  }

  @Test
  void dialerFailsAndClosesWhenNothingIsAccepted() {
    Outcome outcome = new Outcome();
    EmbeddedChannel ch = new EmbeddedChannel(MultistreamNegotiator.dialer(List.of("/a/1"), outcome));
    drainOutbound(ch);
    feed(ch, lines(MultistreamProtocol.HEADER, "na"), 3);
    assertTrue(outcome.failure.getMessage().contains("none of"), outcome.failure.getMessage());
    assertFalse(ch.isOpen());
    ch.finishAndReleaseAll();
  }

  @Test
  void garbageBeforeHeaderClosesTheChannel() {
    Outcome outcome = new Outcome();
    EmbeddedChannel ch = new EmbeddedChannel(MultistreamNegotiator.listener(p -> true, outcome));
    byte[] garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    ByteBuf in = Unpooled.wrappedBuffer(garbage);
    ch.writeInbound(in);
    assertEquals(0, in.refCnt());
    assertTrue(outcome.failure != null, "negotiation must fail");
    assertFalse(ch.isOpen(), "connection closed");
    assertEquals(0, drainOutbound(ch).length, "nothing answered to garbage");
    ch.finishAndReleaseAll();
  }

  @Test
  void overLongLineIsRejectedFromItsLengthPrefix() {
    Outcome outcome = new Outcome();
    EmbeddedChannel ch = new EmbeddedChannel(MultistreamNegotiator.listener(p -> true, outcome));
    ByteBuf prefix = Unpooled.buffer();
    prefix.writeBytes(lines(MultistreamProtocol.HEADER));
    io.disjoint.p2p.wire.Uvarint.write(prefix, MultistreamProtocol.MAX_LINE_BYTES + 1);
    ch.writeInbound(prefix);
    assertEquals(0, prefix.refCnt());
    assertTrue(outcome.failure.getMessage().contains("length"), outcome.failure.getMessage());
    assertFalse(ch.isOpen());
    ch.finishAndReleaseAll();
  }

  @Test
  void lineOfExactlyMaxLengthIsAccepted() {
    String longProtocol = "/" + "x".repeat(MultistreamProtocol.MAX_LINE_BYTES - 2);
    Outcome outcome = new Outcome();
    EmbeddedChannel ch = new EmbeddedChannel(
        MultistreamNegotiator.listener(longProtocol::equals, outcome));
    feed(ch, lines(MultistreamProtocol.HEADER, longProtocol), 100);
    assertEquals(longProtocol, outcome.agreed);
    drainOutbound(ch);
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void listenerAnswersNaToLs() {
    Outcome outcome = new Outcome();
    EmbeddedChannel ch = new EmbeddedChannel(MultistreamNegotiator.listener(p -> true, outcome));
    feed(ch, lines(MultistreamProtocol.HEADER, "ls", "/x/1"), 64);
    assertEquals("/x/1", outcome.agreed);
    assertEquals(ByteBufUtil.hexDump(lines(MultistreamProtocol.HEADER, "na", "/x/1")),
        ByteBufUtil.hexDump(drainOutbound(ch)));
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void listenerGivesUpAfterTooManyProposals() {
    Outcome outcome = new Outcome();
    EmbeddedChannel ch = new EmbeddedChannel(MultistreamNegotiator.listener(p -> false, outcome));
    List<String> proposals = new ArrayList<>();
    proposals.add(MultistreamProtocol.HEADER);
    for (int i = 0; i <= MultistreamNegotiator.MAX_LISTENER_PROPOSALS; i++) {
      proposals.add("/p/" + i);
    }
    feed(ch, lines(proposals.toArray(String[]::new)), 4096);
    assertTrue(outcome.failure != null);
    assertFalse(ch.isOpen());
    ch.finishAndReleaseAll();
  }

  @Test
  void closeDuringNegotiationReportsFailureAndReleasesBufferedBytes() {
    Outcome outcome = new Outcome();
    EmbeddedChannel ch = new EmbeddedChannel(MultistreamNegotiator.listener(p -> true, outcome));
    byte[] header = lines(MultistreamProtocol.HEADER);
    feed(ch, java.util.Arrays.copyOf(header, 5), 5);
    ch.close();
    assertTrue(outcome.failure != null);
    ch.finishAndReleaseAll();
  }
}
