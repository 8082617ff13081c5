package io.disjoint.staking.receipt;

import io.disjoint.staking.StakingException;

/**
 * A receipt, attestation or voucher that must not be accepted. Except for
 * {@link Reason#PAYER_OVER_LIMIT} (our own policy), the sender is at fault.
 */
public final class ReceiptRejectedException extends StakingException {
  /** Why; a bounded set, usable as a metric tag. */
  public enum Reason {
    MALFORMED,
    BAD_SIGNATURE,
    WRONG_DOMAIN,
    WRONG_NODE,
    WRONG_EPOCH,
    REPLAY,
    STALE_TIMESTAMP,
    FUTURE_TIMESTAMP,
    UNKNOWN_SIGNER,
    REVOKED_SIGNER,
    SIGNER_NOT_SENDER,
    PAYER_OVER_LIMIT,
    /** A batched (unsigned) receipt whose gateway sent no batch for it in time. */
    NEVER_BATCHED,
    /** A receipt batch listing a receipt this gateway never sent to this node (or sent twice). */
    BATCH_UNKNOWN_RECEIPT,
    /** A receipt batch this node already accepted. */
    BATCH_REPLAY
  }

  private final Reason reason;

  public ReceiptRejectedException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
