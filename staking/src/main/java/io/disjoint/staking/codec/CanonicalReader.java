package io.disjoint.staking.codec;

import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Reads the canonical encoding written by {@link CanonicalWriter}. Every length is checked
 * against the remaining input and the field's own limit before anything is allocated; any
 * shortfall throws {@link MalformedEncodingException} naming the field.
 */
public final class CanonicalReader {
  private final byte[] in;
  private final int end;
  private int pos;

  public CanonicalReader(byte[] in) {
    this(in, 0, in.length);
  }

  public CanonicalReader(byte[] in, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > in.length) {
      throw new IllegalArgumentException("range outside the array");
    }
    this.in = in;
    this.pos = offset;
    this.end = offset + length;
  }

  private void need(int n, String field) {
    if (end - pos < n) {
      throw new MalformedEncodingException(
          field + ": needs " + n + " bytes, " + (end - pos) + " left");
    }
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return end - pos;
  }

  /** Reads the tag and fails unless it equals {@code expected}: the domain-separation check. */
  public void expectTag(String expected) {
    String tag = ascii("tag", 255);
    if (!tag.equals(expected)) {
      throw new MalformedEncodingException("tag: expected " + expected + ", got " + tag);
    }
  }

  public String ascii(String field, int maxLen) {
    byte[] b = shortBytes(field, 0, maxLen);
    for (byte c : b) {
      if (c < 0x20 || c > 0x7e) {
        throw new MalformedEncodingException(field + ": not printable ASCII");
      }
    }
    return new String(b, StandardCharsets.US_ASCII);
  }

  public String utf8(String field, int maxLen) {
    byte[] b = shortBytes(field, 0, maxLen);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedEncodingException(field + ": invalid UTF-8");
    }
  }

  public byte[] shortBytes(String field, int minLen, int maxLen) {
    need(1, field + " length");
    int len = in[pos] & 0xff;
    if (len < minLen || len > maxLen) {
      throw new MalformedEncodingException(
          field + ": length " + len + " outside " + minLen + ".." + maxLen);
    }
    need(1 + len, field);
    pos++;
    byte[] b = Arrays.copyOfRange(in, pos, pos + len);
    pos += len;
    return b;
  }

  public byte[] fixed(String field, int len) {
    need(len, field);
    byte[] b = Arrays.copyOfRange(in, pos, pos + len);
    pos += len;
    return b;
  }

  public Bytes fixedBytes(String field, int len) {
    return Bytes.wrap(fixed(field, len));
  }

  public Bytes32 bytes32(String field) {
    return Bytes32.wrap(fixed(field, 32));
  }

  public int u8(String field) {
    need(1, field);
    return in[pos++] & 0xff;
  }

  public int u16(String field) {
    need(2, field);
    int v = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  public long u32(String field) {
    need(4, field);
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (in[pos++] & 0xff);
    }
    return v;
  }

  public long u64(String field) {
    need(8, field);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (in[pos++] & 0xff);
    }
    return v;
  }

  /** A u64 that must fit a non-negative Java long (values at or above 2^63 are rejected). */
  public long u63(String field) {
    long v = u64(field);
    if (v < 0) {
      throw new MalformedEncodingException(field + ": above 2^63-1");
    }
    return v;
  }

  public BigInteger u256(String field) {
    return new BigInteger(1, fixed(field, 32));
  }

  public void expectEnd(String struct) {
    if (pos != end) {
      throw new MalformedEncodingException(struct + ": " + (end - pos) + " trailing bytes");
    }
  }
}
