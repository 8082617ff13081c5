package io.disjoint.staking.ledger;

import io.disjoint.staking.StakingException;

/** The ledger's rules forbid an operation; nothing changed. {@link #reason()} says which rule. */
public final class LedgerException extends StakingException {
  /** Which rule refused the operation (a bounded set). */
  public enum Reason {
    INSUFFICIENT_BALANCE,
    BELOW_MINIMUM_STAKE,
    NOT_STAKED,
    OWNER_MISMATCH,
    STILL_LOCKED,
    JAILED,
    SIGNER_BOUND_ELSEWHERE,
    UNKNOWN_SIGNER,
    REVOKED_SIGNER,
    BAD_SIGNATURE,
    WRONG_DOMAIN,
    VOUCHER_NOT_ABOVE_PAID,
    CLAIM_WINDOW,
    DUPLICATE_CLAIM,
    NO_SUCH_CLAIM,
    PROOF_WINDOW,
    PROOF_NOT_REQUIRED,
    WRONG_LEAF,
    BAD_PROOF,
    NOT_EVIDENCE,
    EVIDENCE_ALREADY_USED,
    INVALID
  }

  private final Reason reason;

  public LedgerException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
