package io.disjoint.staking.codec;

import java.math.BigInteger;

/** Unsigned 256-bit amounts (wei, token units) carried as non-negative BigIntegers. */
public final class Uint256 {
  public static final BigInteger MAX = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

  private Uint256() {}

  public static BigInteger check(BigInteger v, String field) {
    if (v == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    if (v.signum() < 0 || v.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(field + " outside 0..2^256-1: " + v);
    }
    return v;
  }

  public static byte[] toBytes32(BigInteger v) {
    check(v, "uint256");
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }

  /** Adds and fails on overflow past 2^256-1 rather than wrapping. */
  public static BigInteger add(BigInteger a, BigInteger b) {
    return check(a.add(b), "sum");
  }
}
