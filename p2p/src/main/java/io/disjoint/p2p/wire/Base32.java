package io.disjoint.p2p.wire;

/**
 * RFC 4648 base32, lower case, without padding: the multibase "b" encoding used by CIDv1 peer ids.
 * Decoding accepts upper case too and rejects non-zero trailing bits.
 */
public final class Base32 {
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private Base32() {}

  public static String encode(byte[] input) {
    StringBuilder sb = new StringBuilder((input.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : input) {
      buffer = (buffer << 8) | (b & 0xFF);
      bits += 8;
      while (bits >= 5) {
        sb.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    }
    return sb.toString();
  }

  public static byte[] decode(CharSequence input) {
    int outLength = input.length() * 5 / 8;
    byte[] out = new byte[outLength];
    int buffer = 0;
    int bits = 0;
    int o = 0;
    for (int i = 0; i < input.length(); i++) {
      int v = value(input.charAt(i));
      if (v < 0) {
        throw new DecodeException("invalid base32 character '" + input.charAt(i) + "' at " + i);
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out[o++] = (byte) (buffer >>> (bits - 8));
        bits -= 8;
      }
    }
    if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0) {
      throw new DecodeException("invalid base32 length or trailing bits");
    }
    return out;
  }

  private static int value(char c) {
    if (c >= 'a' && c <= 'z') {
      return c - 'a';
    }
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= '2' && c <= '7') {
      return c - '2' + 26;
    }
    return -1;
  }
}
