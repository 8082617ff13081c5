package io.disjoint.node.settle;

import io.disjoint.staking.receipt.Account;
import java.math.BigInteger;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One thing {@code disjoint settle} did, or found it could not do yet, for one payer (a voucher:
 * no epoch) or one (epoch, payer) claim.
 *
 * @param epoch the claim's epoch; empty for a voucher redemption (vouchers are running totals
 *     across epochs)
 * @param amountWei what this step moved to the node's owner (redeemed fees); zero otherwise
 * @param detail one line for people: what happened and, when waiting, until when
 */
public record SettlementStep(OptionalLong epoch, Account payer, Action action, BigInteger amountWei, String detail) {
  /** What a step was (a bounded set; {@code REFUSED} carries the ledger's reason in the detail). */
  public enum Action {
    /** A voucher was redeemed: the ledger paid its total minus what was paid before. */
    REDEEMED(false),
    /** The latest voucher was redeemed before (by an earlier run); nothing more to pay. */
    ALREADY_REDEEMED(false),
    /** The node holds no voucher from this payer yet. */
    NO_VOUCHER(false),
    /** The epoch has not ended, or receipts may still arrive for it: nothing claimed yet. */
    WAITING(false),
    /** A Merkle-sum claim over the epoch's verified receipts was committed. */
    CLAIMED(false),
    /** Claimed before; its seed, proofs or settlement are not due yet. */
    CLAIM_OPEN(false),
    /** A challenged leaf was proven. */
    PROVEN(false),
    /** The ledger settled the claim and paid its reward. */
    REWARDED(false),
    /** The ledger settled the claim as void (a required proof was missing) and slashed the node. */
    SLASHED(false),
    /** The epoch's claim window closed without a claim from this node, or none of its receipts verified. */
    NOT_CLAIMED(false),
    /** The ledger refused the operation; the detail starts with its reason. */
    REFUSED(true),
    /** This node could not do its part (e.g. its store no longer matches a claim it made). */
    FAILED(true);

    private final boolean problem;

    Action(boolean problem) {
      this.problem = problem;
    }

    /** Whether the step needs the operator's attention (the command then exits non-zero). */
    public boolean problem() {
      return problem;
    }
  }

  public SettlementStep {
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(payer, "payer");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(detail, "detail");
    if (amountWei == null || amountWei.signum() < 0) {
      throw new IllegalArgumentException("amountWei must be >= 0");
    }
  }

  static SettlementStep voucher(Account payer, Action action, BigInteger amount, String detail) {
    return new SettlementStep(OptionalLong.empty(), payer, action, amount, detail);
  }

  static SettlementStep claim(long epoch, Account payer, Action action, String detail) {
    return new SettlementStep(OptionalLong.of(epoch), payer, action, BigInteger.ZERO, detail);
  }
}
