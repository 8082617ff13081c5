package io.disjoint.staking.ledger;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import java.math.BigInteger;
import org.apache.tuweni.bytes.Bytes;

/**
 * What one node earned and lost in one epoch (the epoch in which the ledger booked it): voucher
 * fees, claim rewards, slashes.
 */
public record Payout(long epoch, Bytes nodeId, BigInteger fees, BigInteger rewards,
    BigInteger slashed) {
  static Payout empty(long epoch, Bytes nodeId) {
    return new Payout(epoch, nodeId, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO);
  }

  Payout plus(BigInteger f, BigInteger r, BigInteger s) {
    return new Payout(epoch, nodeId, fees.add(f), rewards.add(r), slashed.add(s));
  }

  byte[] encode() {
    return new CanonicalWriter(96).u256(fees).u256(rewards).u256(slashed).toByteArray();
  }

  static Payout decode(long epoch, Bytes nodeId, byte[] b) {
    CanonicalReader r = new CanonicalReader(b);
    return new Payout(epoch, nodeId, r.u256("fees"), r.u256("rewards"), r.u256("slashed"));
  }
}
