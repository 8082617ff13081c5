package io.disjoint.staking.ledger;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.receipt.Account;
import java.math.BigInteger;

/** A node's bonded stake, owned by an operator account. */
public record NodeStake(Account owner, BigInteger staked, BigInteger unbonding,
    long unbondingUntilMs, long jailedUntilMs) {
  public NodeStake {
    if (owner == null || staked.signum() < 0 || unbonding.signum() < 0) {
      throw new IllegalArgumentException("stake amounts must be >= 0");
    }
  }

  /** Jailed nodes cannot claim; they leave jail with an explicit unjail after {@code jailedUntilMs}. */
  public boolean jailed() {
    return jailedUntilMs > 0;
  }

  public BigInteger total() {
    return staked.add(unbonding);
  }

  byte[] encode() {
    return new CanonicalWriter(100).fixed(owner.bytes()).u256(staked).u256(unbonding)
        .u64(unbondingUntilMs).u64(jailedUntilMs).toByteArray();
  }

  static NodeStake decode(byte[] b) {
    CanonicalReader r = new CanonicalReader(b);
    return new NodeStake(new Account(r.fixedBytes("owner", Account.SIZE)), r.u256("staked"),
        r.u256("unbonding"), r.u63("unbonding until"), r.u63("jailed until"));
  }
}
