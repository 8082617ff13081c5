package io.disjoint.staking.voucher;

import io.disjoint.staking.StakingException;

/** A voucher request (gateway side) or voucher (node side) that breaks the protocol. */
public final class VoucherRejectedException extends StakingException {
  /** Which rule; a bounded set, carried in the response so the node learns why. */
  public enum Reason {
    MALFORMED,
    BAD_SIGNATURE,
    WRONG_DOMAIN,
    WRONG_PAYER,
    WRONG_NODE,
    NOT_AFTER_PREVIOUS,
    DUPLICATE_IN_BATCH,
    FUTURE_TIMESTAMP,
    UNKNOWN_SIGNER,
    PREVIOUS_INVALID,
    BATCH_TOO_LARGE,
    TOTAL_MISMATCH
  }

  private final Reason reason;

  public VoucherRejectedException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
