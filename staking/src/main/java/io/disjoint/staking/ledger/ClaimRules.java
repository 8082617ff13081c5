package io.disjoint.staking.ledger;

import io.disjoint.staking.claim.ClaimProof;
import io.disjoint.staking.claim.EpochClaim;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.ledger.LedgerException.Reason;
import io.disjoint.staking.merkle.MerkleSumProof;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptRejectedException;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.BatchMembership;
import java.math.BigInteger;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Relay-mining challenges: which claims must be proven and which leaves. Everything derives from
 * the epoch seed, which exists only after the claim window closed, so a node cannot know at
 * commit time which receipts it will have to show.
 */
public final class ClaimRules {
  private ClaimRules() {}

  /** Seed of an epoch: SHA-256("disjoint/seed/v1" || ledger chain hash || u64 epoch). */
  public static Bytes32 seed(Bytes32 chainHash, long epoch) {
    return Sha256.hash(new CanonicalWriter(64).ascii("disjoint/seed/v1").fixed(chainHash)
        .u64(epoch).toByteArray());
  }

  static byte[] claimId(EpochClaim c) {
    return LedgerState.claimKey(c.epoch(), c.nodeId(), c.payer());
  }

  /**
   * Number of leaves to prove: all {@code proofsPerClaim} at or above the threshold; below it,
   * the same number with probability p, else none. Empty claims (sum 0) need none.
   */
  public static int requiredChallenges(LedgerParams params, Bytes32 seed, EpochClaim c) {
    if (c.root().sum() == 0) {
      return 0;
    }
    if (c.root().sum() >= params.proofThresholdCu()) {
      return params.proofsPerClaim();
    }
    BigInteger draw = new BigInteger(1, Sha256.hash(new CanonicalWriter(96)
        .ascii("disjoint/require/v1").fixed(seed).fixed(claimId(c)).toByteArray()).toArray());
    boolean chosen = draw.mod(BigInteger.valueOf(10_000)).intValue() < params.proofProbabilityBps();
    return chosen ? params.proofsPerClaim() : 0;
  }

  /**
   * The compute-unit position the {@code i}-th challenge lands on; the leaf whose range holds it
   * must be proven. Leaves are picked in proportion to their compute units, so inflating a
   * leaf's units makes it more likely to be checked, not less.
   */
  public static long challengePoint(Bytes32 seed, EpochClaim c, int i) {
    BigInteger draw = new BigInteger(1, Sha256.hash(new CanonicalWriter(96)
        .ascii("disjoint/challenge/v1").fixed(seed).fixed(claimId(c)).u8(i).toByteArray())
        .toArray());
    return draw.mod(BigInteger.valueOf(c.root().sum())).longValue();
  }

  /** Checks a proof against its claim; the ledger's signer rules are checked by the caller. */
  static void checkProof(LedgerParams params, Bytes32 seed, EpochClaim c, ClaimProof p) {
    PaymentReceipt r = p.receipt();
    if (!r.domain().equals(params.domain())) {
      throw new LedgerException(Reason.WRONG_DOMAIN, "receipt is for " + r.domain());
    }
    if (!r.payer().equals(c.payer()) || r.epoch() != c.epoch() || !r.nodeId().equals(c.nodeId())) {
      throw new LedgerException(Reason.BAD_PROOF,
          "receipt is not from this claim's payer, epoch and node");
    }
    if (!BatchMembership.receiptAuthentic(r, p.membership())) {
      throw new LedgerException(Reason.BAD_SIGNATURE, r.isSigned() ? "receipt signature invalid"
          : "receipt batch signature invalid, or the receipt is not the batch path's leaf");
    }
    try {
      ReceiptVerifier.checkAttestation(r, p.attestation());
    } catch (ReceiptRejectedException e) {
      throw new LedgerException(Reason.BAD_PROOF, "attestation: " + e.getMessage());
    }
    MerkleSumProof path = p.path();
    if (path.leafCount() != c.leafCount()) {
      throw new LedgerException(Reason.BAD_PROOF, "path is for a tree of " + path.leafCount()
          + " leaves, the claim has " + c.leafCount());
    }
    MerkleSumProof.Result result;
    try {
      result = path.compute(p.leaf());
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new LedgerException(Reason.BAD_PROOF, "path does not compute: " + e.getMessage());
    }
    if (!result.root().equals(c.root())) {
      throw new LedgerException(Reason.BAD_PROOF, "path does not lead to the claimed root");
    }
    long point = challengePoint(seed, c, p.challenge());
    if (point < result.leafOffset() || point >= result.leafOffset() + r.computeUnits()) {
      throw new LedgerException(Reason.WRONG_LEAF, "challenge " + p.challenge() + " selects"
          + " compute unit " + point + ", the proven leaf covers [" + result.leafOffset() + ", "
          + (result.leafOffset() + r.computeUnits()) + ")");
    }
  }
}
