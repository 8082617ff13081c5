package io.disjoint.staking.codec;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.tuweni.bytes.Bytes;

/**
 * Writes the canonical signing encoding: fixed-order fields, fixed-width big-endian integers,
 * variable fields prefixed with their length (one byte), unsigned 256-bit values as 32 bytes.
 * There is exactly one encoding of a given struct, so its hash is a stable identifier.
 */
public final class CanonicalWriter {
  private byte[] buf;
  private int pos;

  public CanonicalWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  /** A domain-separation tag or other ASCII string of 1..255 bytes, length-prefixed. */
  public CanonicalWriter ascii(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    return shortBytes(b);
  }

  /** 0..255 bytes, length-prefixed by one byte. */
  public CanonicalWriter shortBytes(byte[] b) {
    if (b.length > 255) {
      throw new IllegalArgumentException("field longer than 255 bytes: " + b.length);
    }
    ensure(1 + b.length);
    buf[pos++] = (byte) b.length;
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
    return this;
  }

  public CanonicalWriter shortBytes(Bytes b) {
    return shortBytes(b.toArrayUnsafe());
  }

  /** Exactly {@code b.size()} bytes with no prefix: for fixed-width fields (hashes, nonces). */
  public CanonicalWriter fixed(Bytes b) {
    return fixed(b.toArrayUnsafe());
  }

  public CanonicalWriter fixed(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
    return this;
  }

  public CanonicalWriter u8(int v) {
    ensure(1);
    buf[pos++] = (byte) v;
    return this;
  }

  public CanonicalWriter u16(int v) {
    ensure(2);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
    return this;
  }

  public CanonicalWriter u32(long v) {
    ensure(4);
    for (int i = 3; i >= 0; i--) {
      buf[pos++] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  public CanonicalWriter u64(long v) {
    ensure(8);
    for (int i = 7; i >= 0; i--) {
      buf[pos++] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  /** An unsigned integer below 2^256 as 32 big-endian bytes. */
  public CanonicalWriter u256(BigInteger v) {
    return fixed(Uint256.toBytes32(v));
  }

  public int size() {
    return pos;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }
}
