package io.disjoint.staking.receipt;

import org.apache.tuweni.bytes.Bytes;

/** Which gateway keys may sign for which payer (the ledger's authorized signers). */
public interface SignerDirectory {
  /** Status of a signer key for a payer at a time. */
  enum SignerStatus {
    /** Authorized and not being revoked. */
    ACTIVE,
    /** Revocation requested; still valid until the thaw ends. */
    THAWING,
    /** Revoked: receipts and vouchers it signs are worthless. */
    REVOKED,
    /** Never authorized for this payer. */
    UNKNOWN
  }

  SignerStatus signerStatus(Account payer, Bytes signerKey, long nowMs);
}
