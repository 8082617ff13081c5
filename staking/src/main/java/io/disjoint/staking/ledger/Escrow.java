package io.disjoint.staking.ledger;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import java.math.BigInteger;

/**
 * A payer's escrow. Thawing funds can still be collected by vouchers until withdrawn, so a payer
 * cannot run away with what it owes by starting a thaw.
 */
public record Escrow(BigInteger balance, BigInteger thawing, long thawUntilMs) {
  public static final Escrow EMPTY = new Escrow(BigInteger.ZERO, BigInteger.ZERO, 0);

  public Escrow {
    if (balance.signum() < 0 || thawing.signum() < 0) {
      throw new IllegalArgumentException("escrow amounts must be >= 0");
    }
  }

  public BigInteger total() {
    return balance.add(thawing);
  }

  byte[] encode() {
    return new CanonicalWriter(72).u256(balance).u256(thawing).u64(thawUntilMs).toByteArray();
  }

  static Escrow decode(byte[] b) {
    CanonicalReader r = new CanonicalReader(b);
    return new Escrow(r.u256("balance"), r.u256("thawing"), r.u63("thaw until"));
  }
}
