package io.disjoint.relay.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Framing and message codec of "/disjoint/relay/1.0.0", fed in every fragmentation. */
class RelayCodecTest {
  private static final byte[] HASH = new byte[32];

  static RelayRequest sampleRequest(long id, String json) {
    return new RelayRequest(id, "eip155:31337", json.getBytes(StandardCharsets.UTF_8), 1_700_000_000_000L, new byte[] {1, 2, 3});
  }

  private static byte[] encode(Object message) {
    EmbeddedChannel ch = new EmbeddedChannel(LengthPrefixedFrameEncoder.INSTANCE);
    assertTrue(ch.writeOutbound(message));
    ByteBuf out = ch.readOutbound();
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    out.release();
    assertFalse(ch.finish());
    return bytes;
  }

  @Test
  void requestEncodingIsByteExactAsDocumented() {
    RelayRequest r = new RelayRequest(7, "eip155:1", "{}".getBytes(StandardCharsets.UTF_8), 1000, new byte[0]);
    byte[] bytes = encode(RelayMessages.toWire(r));
    // len 0x13 | 08 07 | 12 08 "eip155:1" | 1a 02 "{}" | 20 e8 07 ; empty receipt omitted (proto3)
    assertEquals("13" + "0807" + "1208" + HexFormat.of().formatHex("eip155:1".getBytes(StandardCharsets.US_ASCII))
        + "1a02" + "7b7d" + "20e807", HexFormat.of().formatHex(bytes));
  }

  @Test
  void responseEncodingIsByteExactAsDocumented() {
    RelayResponse r = RelayResponse.failure(9, RelayStatus.UPSTREAM_UNAVAILABLE, "x", 0, new byte[0]);
    // len 09 | 08 09 | 10 03 | 1a 01 "x" | 28 00 (head 0 is present: proto3 optional)
    assertEquals("09" + "0809" + "1003" + "1a0178" + "2800", HexFormat.of().formatHex(encode(RelayMessages.toWire(r))));
  }

  @Test
  void requestDecodesWhenFedOneByteAtATime() {
    RelayRequest sent = sampleRequest(42, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}");
    byte[] wire = encode(RelayMessages.toWire(sent));
    for (int split = 1; split < wire.length; split++) {
      EmbeddedChannel ch = new EmbeddedChannel(new LengthPrefixedFrameDecoder(RelayProtocol.MAX_REQUEST_FRAME));
      ByteBuf first = Unpooled.wrappedBuffer(wire, 0, split);
      ByteBuf second = Unpooled.wrappedBuffer(wire, split, wire.length - split);
      ch.writeInbound(first);
      ch.writeInbound(second);
      ByteBuf frame = ch.readInbound();
      RelayRequest got = RelayMessages.parseRequest(frame);
      frame.release();
      assertEquals(0, first.refCnt(), "first part at split " + split);
      assertEquals(0, second.refCnt(), "second part at split " + split);
      assertEquals(42, got.requestId());
      assertArrayEquals(sent.payload(), got.payload());
      assertArrayEquals(sent.paymentReceipt(), got.paymentReceipt());
      assertNull(ch.readInbound());
      assertFalse(ch.finish());
    }
  }

  @Test
  void severalFramesInOneBufferAllDecode() {
    byte[] a = encode(RelayMessages.toWire(sampleRequest(1, "{\"a\":1}")));
    byte[] b = encode(RelayMessages.toWire(sampleRequest(2, "{\"b\":2}")));
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    EmbeddedChannel ch = new EmbeddedChannel(new LengthPrefixedFrameDecoder(RelayProtocol.MAX_REQUEST_FRAME));
    ch.writeInbound(Unpooled.wrappedBuffer(both));
    for (long id = 1; id <= 2; id++) {
      ByteBuf frame = ch.readInbound();
      assertEquals(id, RelayMessages.parseRequest(frame).requestId());
      frame.release();
    }
    assertFalse(ch.finish());
  }

  @Test
  void oversizedLengthIsRejectedBeforeAnyBodyArrives() {
    EmbeddedChannel ch = new EmbeddedChannel(new LengthPrefixedFrameDecoder(1024));
    ByteBuf prefix = Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, 0x08}); // 1025
    DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(prefix));
    assertInstanceOf(RelayProtocolException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("exceeds the limit of 1024"));
    assertEquals(0, prefix.refCnt());
    ch.finishAndReleaseAll();
  }

  @Test
  void nonMinimalAndOverlongVarintsAreRejected() {
    for (byte[] bad : new byte[][] {{(byte) 0x80, 0x00}, {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}}) {
      EmbeddedChannel ch = new EmbeddedChannel(new LengthPrefixedFrameDecoder(RelayProtocol.MAX_REQUEST_FRAME));
      DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(bad)));
      assertInstanceOf(RelayProtocolException.class, e.getCause());
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void garbageBodyIsAProtocolErrorNamingTheMessage() {
    ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
    RelayProtocolException e = assertThrows(RelayProtocolException.class, () -> RelayMessages.parseRequest(garbage));
    assertTrue(e.getMessage().contains("RelayRequest"), e.getMessage());
    garbage.release();
  }

  @Test
  void invalidFieldsAreProtocolErrors() {
    // A well-formed protobuf with an empty chain id.
    byte[] wire = encode(io.disjoint.relay.protocol.pb.RelayProto.RelayRequest.newBuilder()
        .setRequestId(1).setPayload(com.google.protobuf.ByteString.copyFromUtf8("{}")).setDeadlineUnixMs(5).build());
    ByteBuf body = Unpooled.wrappedBuffer(wire, 1, wire.length - 1);
    assertThrows(RelayProtocolException.class, () -> RelayMessages.parseRequest(body));
    body.release();
  }

  @Property(tries = 200)
  void requestsRoundTripThroughAnyFragmentation(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long id,
      @ForAll("json") String json,
      @ForAll @Size(max = 200) byte[] receipt,
      @ForAll @IntRange(min = 1, max = 64) int chunk) {
    RelayRequest sent = new RelayRequest(id, "eip155:8453", json.getBytes(StandardCharsets.UTF_8), 123_456, receipt);
    byte[] wire = encode(RelayMessages.toWire(sent));
    EmbeddedChannel ch = new EmbeddedChannel(new LengthPrefixedFrameDecoder(RelayProtocol.MAX_REQUEST_FRAME));
    for (int i = 0; i < wire.length; i += chunk) {
      ch.writeInbound(Unpooled.wrappedBuffer(wire, i, Math.min(chunk, wire.length - i)));
    }
    ByteBuf frame = ch.readInbound();
    RelayRequest got = RelayMessages.parseRequest(frame);
    frame.release();
    assertEquals(sent.requestId(), got.requestId());
    assertArrayEquals(sent.payload(), got.payload());
    assertArrayEquals(sent.paymentReceipt(), got.paymentReceipt());
    assertFalse(ch.finish());
  }

  @Property(tries = 200)
  void responsesRoundTrip(@ForAll @LongRange(min = -1, max = Long.MAX_VALUE) long head, @ForAll("json") String json,
      @ForAll @Size(max = 300) byte[] attestation) {
    RelayResponse sent = RelayResponse.ok(5, json.getBytes(StandardCharsets.UTF_8), head, head >= 0 ? HASH : new byte[0], attestation);
    byte[] wire = encode(RelayMessages.toWire(sent));
    ByteBuf body = Unpooled.wrappedBuffer(wire);
    // skip the uvarint prefix
    int prefix = 1;
    while ((wire[prefix - 1] & 0x80) != 0) {
      prefix++;
    }
    body.skipBytes(prefix);
    RelayResponse got = RelayMessages.parseResponse(body);
    body.release();
    assertEquals(sent.headNumber(), got.headNumber());
    assertArrayEquals(sent.payload(), got.payload());
    assertArrayEquals(sent.attestation(), got.attestation());
    assertEquals(RelayStatus.OK, got.status());
  }

  @Property(tries = 300)
  void mutatedBytesNeverEscapeAsAnythingButProtocolErrors(@ForAll @Size(min = 1, max = 80) byte[] noise) {
    EmbeddedChannel ch = new EmbeddedChannel(new LengthPrefixedFrameDecoder(64));
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(noise));
      ByteBuf frame;
      while ((frame = ch.readInbound()) != null) {
        try {
          RelayMessages.parseRequest(frame);
        } catch (RelayProtocolException expected) {
          // fine: rejected with a reason
        } finally {
          frame.release();
        }
      }
    } catch (DecoderException e) {
      assertInstanceOf(RelayProtocolException.class, e.getCause());
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  @Provide
  Arbitrary<String> json() {
    return Arbitraries.strings().alpha().numeric().ofMinLength(0).ofMaxLength(300).map(s -> "{\"x\":\"" + s + "\"}");
  }
}
