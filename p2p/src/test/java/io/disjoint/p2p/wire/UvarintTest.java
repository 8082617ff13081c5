package io.disjoint.p2p.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class UvarintTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void encodesSpecExamples() {
    // examples from the multiformats unsigned-varint spec
    assertEquals("00", HEX.formatHex(Uvarint.encode(0)));
    assertEquals("01", HEX.formatHex(Uvarint.encode(1)));
    assertEquals("7f", HEX.formatHex(Uvarint.encode(127)));
    assertEquals("8001", HEX.formatHex(Uvarint.encode(128)));
    assertEquals("ff01", HEX.formatHex(Uvarint.encode(255)));
    assertEquals("ac02", HEX.formatHex(Uvarint.encode(300)));
    assertEquals("808001", HEX.formatHex(Uvarint.encode(16384)));
    assertEquals(9, Uvarint.encodedLength(Long.MAX_VALUE));
  }

  @Test
  void rejectsNonMinimalAndOverlongAndNegative() {
    byte[] nonMinimal = HEX.parseHex("8000");
    assertThrows(DecodeException.class, () -> Uvarint.read(nonMinimal, 0, 2));
    byte[] tenBytes = HEX.parseHex("80808080808080808001");
    assertThrows(DecodeException.class, () -> Uvarint.read(tenBytes, 0, tenBytes.length));
    assertThrows(IllegalArgumentException.class, () -> Uvarint.encode(-1));
    ByteBuf buf = Unpooled.wrappedBuffer(nonMinimal);
    try {
      assertThrows(DecodeException.class, () -> Uvarint.read(buf));
    } finally {
      buf.release();
    }
  }

  @Test
  void reportsNeedMoreWithoutConsuming() {
    ByteBuf buf = Unpooled.buffer();
    try {
      buf.writeByte(0xac);
      assertEquals(Uvarint.NEED_MORE, Uvarint.read(buf));
      assertEquals(0, buf.readerIndex());
      buf.writeByte(0x02);
      buf.writeByte(0x7f);
      assertEquals(300, Uvarint.read(buf));
      assertEquals(2, buf.readerIndex());
      assertEquals(127, Uvarint.read(buf));
      assertEquals(Uvarint.NEED_MORE, Uvarint.read(HEX.parseHex("80"), 0, 1));
      assertThrows(DecodeException.class, () -> Uvarint.readComplete(HEX.parseHex("80"), 0, 1));
    } finally {
      assertTrue(buf.release());
    }
  }

  @Test
  void limitIsCheckedBeforeConsuming() {
    ByteBuf buf = Unpooled.wrappedBuffer(Uvarint.encode(70_000));
    try {
      assertThrows(DecodeException.class, () -> Uvarint.read(buf, 65_535));
      assertEquals(0, buf.readerIndex());
    } finally {
      buf.release();
    }
  }

  @Property
  void roundTripsOnArraysAndBuffersByteByByte(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long value) {
    byte[] encoded = Uvarint.encode(value);
    assertEquals(Uvarint.encodedLength(value), encoded.length);
    assertEquals(value, Uvarint.readComplete(encoded, 0, encoded.length));
    ByteBuf buf = Unpooled.buffer();
    try {
      for (int i = 0; i < encoded.length; i++) {
        assertEquals(Uvarint.NEED_MORE, Uvarint.read(buf));
        buf.writeByte(encoded[i]);
      }
      assertEquals(value, Uvarint.read(buf));
      assertEquals(0, buf.readableBytes());
      ByteBuf written = Unpooled.buffer();
      Uvarint.write(written, value);
      assertArrayEquals(encoded, io.netty.buffer.ByteBufUtil.getBytes(written));
      written.release();
    } finally {
      buf.release();
    }
  }
}
