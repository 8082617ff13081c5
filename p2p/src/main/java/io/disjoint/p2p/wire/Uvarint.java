package io.disjoint.p2p.wire;

import io.netty.buffer.ByteBuf;

/**
 * Unsigned LEB128 varints as the multiformats unsigned-varint spec defines them: at most 9 bytes
 * (63 bits) and minimally encoded (a trailing zero byte is malformed).
 *
 * <p>Readers distinguish "not enough bytes yet" ({@link #NEED_MORE}, nothing consumed) from bad
 * input ({@link DecodeException}), so that stream decoders can wait for the next read.
 */
public final class Uvarint {
  /** Returned by the readers when the varint is incomplete; no byte was consumed. */
  public static final long NEED_MORE = -1L;

  /** Maximum encoded length in bytes (63 value bits). */
  public static final int MAX_LENGTH = 9;

  private Uvarint() {}

  /** Number of bytes {@code value} takes when encoded. */
  public static int encodedLength(long value) {
    requireEncodable(value);
    int bits = 64 - Long.numberOfLeadingZeros(value | 1);
    return (bits + 6) / 7;
  }

  public static byte[] encode(long value) {
    byte[] out = new byte[encodedLength(value)];
    write(value, out, 0);
    return out;
  }

  /** Writes {@code value} at {@code offset} and returns the number of bytes written. */
  public static int write(long value, byte[] dst, int offset) {
    requireEncodable(value);
    int i = offset;
    while ((value & ~0x7FL) != 0) {
      dst[i++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    dst[i++] = (byte) value;
    return i - offset;
  }

  /** Appends {@code value} at the writer index. */
  public static void write(ByteBuf dst, long value) {
    requireEncodable(value);
    while ((value & ~0x7FL) != 0) {
      dst.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    dst.writeByte((int) value);
  }

  /**
   * Reads a varint at the reader index. Returns {@link #NEED_MORE} without consuming anything if
   * the buffer ends inside the varint; otherwise consumes it and returns its value.
   *
   * @throws DecodeException if the varint is longer than 9 bytes or not minimal
   */
  public static long read(ByteBuf src) {
    return read(src, Long.MAX_VALUE);
  }

  /**
   * Like {@link #read(ByteBuf)}, and also rejects values above {@code maxValue} (for length
   * prefixes, before anything is allocated). On rejection nothing is consumed.
   */
  public static long read(ByteBuf src, long maxValue) {
    int start = src.readerIndex();
    int end = src.writerIndex();
    long value = 0;
    for (int i = 0; i < MAX_LENGTH; i++) {
      if (start + i >= end) {
        return NEED_MORE;
      }
      int b = src.getByte(start + i) & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new DecodeException("varint is not minimally encoded");
        }
        if (value > maxValue) {
          throw new DecodeException("varint value " + value + " exceeds limit " + maxValue);
        }
        src.readerIndex(start + i + 1);
        return value;
      }
    }
    throw new DecodeException("varint longer than " + MAX_LENGTH + " bytes");
  }

  /**
   * Reads a varint from {@code src[offset, limit)}. Returns {@link #NEED_MORE} if the range ends
   * inside the varint. The number of bytes read is {@link #encodedLength(long)} of the result,
   * because only minimal encodings are accepted.
   *
   * @throws DecodeException if the varint is longer than 9 bytes or not minimal
   */
  public static long read(byte[] src, int offset, int limit) {
    long value = 0;
    for (int i = 0; i < MAX_LENGTH; i++) {
      if (offset + i >= limit) {
        return NEED_MORE;
      }
      int b = src[offset + i] & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new DecodeException("varint is not minimally encoded");
        }
        return value;
      }
    }
    throw new DecodeException("varint longer than " + MAX_LENGTH + " bytes");
  }

  /** Reads a varint that must be complete within {@code src[offset, limit)}. */
  public static long readComplete(byte[] src, int offset, int limit) {
    long value = read(src, offset, limit);
    if (value == NEED_MORE) {
      throw new DecodeException("input ends inside a varint");
    }
    return value;
  }

  private static void requireEncodable(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("uvarint value must be in [0, 2^63): " + value);
    }
  }
}
