package io.disjoint.staking.ledger;

import io.disjoint.staking.claim.EpochClaim;
import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;

/**
 * A submitted claim and its progress: how many leaf proofs the seed requires (known once the
 * claim window closes), which are proven, and the outcome.
 */
public record ClaimState(EpochClaim claim, Status status, int required, long provenMask) {
  /** Lifecycle of a claim. */
  public enum Status {
    /** Submitted; the seed and the challenges may not be known yet. */
    OPEN,
    /** Settled: reward paid. */
    REWARDED,
    /** Settled: a required proof was missing, the claim is void and the node slashed. */
    SLASHED
  }

  public boolean proven(int challenge) {
    return (provenMask & (1L << challenge)) != 0;
  }

  public boolean allProven() {
    return Long.bitCount(provenMask) >= required;
  }

  byte[] encode() {
    return new CanonicalWriter(160).fixed(claim.encode()).u8(status.ordinal()).u8(required)
        .u64(provenMask).toByteArray();
  }

  static ClaimState decode(byte[] b) {
    CanonicalReader r = new CanonicalReader(b);
    EpochClaim c = EpochClaim.decode(r);
    return new ClaimState(c, Status.values()[r.u8("status")], r.u8("required"), r.u64("proven"));
  }
}
