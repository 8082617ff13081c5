package io.disjoint.p2p.yamux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class YamuxProperties {

  record FrameSpec(YamuxFrameType type, int flags, int streamId, long length, byte[] data) {}

  @Provide
  Arbitrary<FrameSpec> frames() {
    Arbitrary<YamuxFrameType> types = Arbitraries.of(YamuxFrameType.class);
    Arbitrary<Integer> flags = Arbitraries.integers().between(0, YamuxFlags.ALL);
    Arbitrary<Integer> ids = Arbitraries.integers();
    Arbitrary<Long> values = Arbitraries.longs().between(0, YamuxFrame.MAX_LENGTH);
    Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    return Combinators.combine(types, flags, ids, values, payloads).as((t, f, id, v, p) -> {
      boolean session = t == YamuxFrameType.PING || t == YamuxFrameType.GO_AWAY;
      return t == YamuxFrameType.DATA
          ? new FrameSpec(t, f, id, p.length, p)
          : new FrameSpec(t, f, session ? 0 : id, v, new byte[0]);
    });
  }

  private static ByteBuf encode(List<FrameSpec> specs) {
    ByteBuf out = Unpooled.buffer();
    for (FrameSpec s : specs) {
      YamuxFrame.writeHeader(out, s.type(), s.flags(), s.streamId(), s.length());
      out.writeBytes(s.data());
    }
    return out;
  }

  @Property
  void framesRoundTripInAnyChunking(
      @ForAll @Size(max = 10) List<@net.jqwik.api.From("frames") FrameSpec> specs,
      @ForAll @IntRange(min = 1, max = 400) int chunk) {
    ByteBuf encoded = encode(specs);
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1024));
    while (encoded.isReadable()) {
      ch.writeInbound(encoded.readRetainedSlice(Math.min(chunk, encoded.readableBytes())));
    }
    encoded.release();
    List<YamuxFrame> decoded = new ArrayList<>();
    Object f;
    while ((f = ch.readInbound()) != null) {
      decoded.add((YamuxFrame) f);
    }
    assertEquals(specs.size(), decoded.size());
    for (int i = 0; i < specs.size(); i++) {
      FrameSpec s = specs.get(i);
      YamuxFrame d = decoded.get(i);
      assertEquals(s.type(), d.type());
      assertEquals(s.flags(), d.flags());
      assertEquals(s.streamId(), d.streamId());
      assertEquals(s.length(), d.length());
      assertEquals(ByteBufUtil.hexDump(s.data()), ByteBufUtil.hexDump(d.data()));
      d.release();
    }
    ch.finishAndReleaseAll();
    assertEquals(0, encoded.refCnt(), "payload slices and input released exactly once");
  }

  @Property
  void mutatedBytesDecodeOrFailWithYamuxException(
      @ForAll @Size(min = 1, max = 6) List<@net.jqwik.api.From("frames") FrameSpec> specs,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 100_000) Integer> positions,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 255) Integer> values) {
    ByteBuf encoded = encode(specs);
    for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
      encoded.setByte(positions.get(i) % encoded.writerIndex(), values.get(i));
    }
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1024));
    try {
      ch.writeInbound(encoded);
    } catch (DecoderException e) {
      assertInstanceOf(YamuxException.class, e.getCause());
    }
    Object f;
    while ((f = ch.readInbound()) != null) {
      YamuxFrame frame = (YamuxFrame) f;
      assertTrue(frame.type() != YamuxFrameType.DATA || frame.length() <= 1024);
      frame.release();
    }
    ch.finishAndReleaseAll();
    assertEquals(0, encoded.refCnt(), "input released exactly once");
  }
}
