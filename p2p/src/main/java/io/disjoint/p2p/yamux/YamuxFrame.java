package io.disjoint.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

/**
 * One decoded Yamux frame. {@code length} is the header's 32-bit length field read as unsigned:
 * the payload size for Data, the window delta for WindowUpdate, the opaque value for Ping and the
 * error code for GoAway. Only Data frames carry a payload; whoever receives the frame releases it
 * once ({@link #release()}).
 */
public record YamuxFrame(YamuxFrameType type, int flags, int streamId, long length, ByteBuf data) {
  public static final int HEADER_LENGTH = 12;
  public static final int VERSION = 0;
  public static final long MAX_LENGTH = 0xFFFF_FFFFL;

  public YamuxFrame {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    if ((flags & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("flags must fit in 16 bits: " + flags);
    }
    if (length < 0 || length > MAX_LENGTH) {
      throw new IllegalArgumentException("length must fit in 32 bits: " + length);
    }
    if (type == YamuxFrameType.DATA ? data.readableBytes() != length : data.isReadable()) {
      throw new IllegalArgumentException(
          "payload of " + data.readableBytes() + " bytes does not match " + type + " length " + length);
    }
    if ((type == YamuxFrameType.PING || type == YamuxFrameType.GO_AWAY) && streamId != 0) {
      throw new IllegalArgumentException(type + " frames use stream id 0");
    }
  }

  /** A frame without payload (WindowUpdate, Ping, GoAway, or an empty Data frame). */
  public static YamuxFrame control(YamuxFrameType type, int flags, int streamId, long length) {
    return new YamuxFrame(type, flags, streamId, length, Unpooled.EMPTY_BUFFER);
  }

  public boolean hasFlag(int flag) {
    return (flags & flag) != 0;
  }

  public void release() {
    ReferenceCounted d = data;
    if (d.refCnt() > 0 && d != Unpooled.EMPTY_BUFFER) {
      d.release();
    }
  }

  /** Writes the 12-byte header (not the payload) to {@code out}. */
  public static void writeHeader(
      ByteBuf out, YamuxFrameType type, int flags, int streamId, long length) {
    out.writeByte(VERSION);
    out.writeByte(type.code());
    out.writeShort(flags);
    out.writeInt(streamId);
    out.writeInt((int) length);
  }

  @Override
  public String toString() {
    return type + "(flags=" + flags + ", stream=" + Integer.toUnsignedString(streamId)
        + ", length=" + length + ")";
  }
}
