package io.disjoint.p2p.yamux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamuxFrameDecoderTest {

  private static void append(ByteBuf all, ByteBuf frame) {
    all.writeBytes(frame);
    frame.release();
  }

  private static byte[] sampleStream() {
    ByteBuf all = Unpooled.buffer();
    append(all, YamuxTestSupport.frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 1, 0, null));
    byte[] hello = "hello yamux".getBytes(StandardCharsets.UTF_8);
    append(all, YamuxTestSupport.frame(YamuxFrameType.DATA, 0, 1, hello.length, hello));
    append(all, YamuxTestSupport.frame(YamuxFrameType.PING, YamuxFlags.SYN, 0, 0xDEADBEEFL, null));
    append(all, YamuxTestSupport.frame(YamuxFrameType.DATA, YamuxFlags.FIN, 1, 0, null));
    append(all, YamuxTestSupport.frame(YamuxFrameType.GO_AWAY, 0, 0, 1, null));
    byte[] bytes = ByteBufUtil.getBytes(all);
    all.release();
    return bytes;
  }

  @Test
  void headerIsTwelveBigEndianBytes() {
    ByteBuf buf = Unpooled.buffer();
    YamuxFrame.writeHeader(buf, YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN | YamuxFlags.FIN, 0x01020304, 0xA0B0C0D0L);
    assertEquals("0001000501020304a0b0c0d0", ByteBufUtil.hexDump(buf));
    buf.release();
  }

  @Test
  void decodesTheSameFramesInEveryFragmentation() {
    byte[] input = sampleStream();
    for (int chunk = 1; chunk <= input.length; chunk++) {
      EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1024));
      List<ByteBuf> parts = new ArrayList<>();
      for (int i = 0; i < input.length; i += chunk) {
        ByteBuf part = Unpooled.copiedBuffer(input, i, Math.min(chunk, input.length - i));
        parts.add(part);
        ch.writeInbound(part);
      }
      List<YamuxFrame> frames = new ArrayList<>();
      Object f;
      while ((f = ch.readInbound()) != null) {
        frames.add((YamuxFrame) f);
      }
      assertEquals(5, frames.size(), "chunk " + chunk);
      assertEquals(YamuxFrameType.WINDOW_UPDATE, frames.get(0).type());
      assertTrue(frames.get(0).hasFlag(YamuxFlags.SYN));
      assertEquals("hello yamux", frames.get(1).data().toString(StandardCharsets.UTF_8));
      assertEquals(0xDEADBEEFL, frames.get(2).length());
      assertTrue(frames.get(3).hasFlag(YamuxFlags.FIN));
      assertEquals(0, frames.get(3).length());
      assertEquals(YamuxFrameType.GO_AWAY, frames.get(4).type());
      for (YamuxFrame frame : frames) {
        frame.release();
      }
      assertFalse(ch.finishAndReleaseAll());
      for (ByteBuf part : parts) {
        assertEquals(0, part.refCnt(), "every input chunk released exactly once");
      }
    }
  }

  @Test
  void rejectsOversizedDataBeforeBufferingIt() {
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1024));
    ByteBuf header = YamuxTestSupport.frame(YamuxFrameType.DATA, 0, 1, 1025, null);
    DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(header));
    assertInstanceOf(YamuxException.class, e.getCause());
    assertEquals(0, header.refCnt());
    assertNull(ch.readInbound());
    ch.finishAndReleaseAll();
  }

  @Test
  void rejectsBadVersionTypeFlagsAndSessionFramesOnStreams() {
    byte[][] bad = {
      {1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0},
      {0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0},
      {0, 1, 0, 0x10, 0, 0, 0, 1, 0, 0, 0, 0},
      {0, 2, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0},
      {0, 3, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0},
    };
    for (byte[] frame : bad) {
      EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(1024));
      ByteBuf in = Unpooled.wrappedBuffer(frame);
      assertThrows(DecoderException.class, () -> ch.writeInbound(in));
      assertEquals(0, in.refCnt());
      ch.finishAndReleaseAll();
    }
  }
}
