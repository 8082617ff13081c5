package io.disjoint.staking.store;

import io.disjoint.staking.StakingException;

/** An append or update the store did not accept; {@link #reason()} says why. */
public final class ReceiptWriteException extends StakingException {
  /** Why a write was refused. */
  public enum Reason {
    /** A receipt with this id is already stored: a replay (the sender's fault). */
    DUPLICATE_RECEIPT,
    /** Another receipt already holds this (epoch, payer, timestamp, nonce): the gateway reused a nonce. */
    NONCE_REUSED,
    /** The store is read-only, closed, or failed on an earlier write (ours or the disk's). */
    STORE_UNAVAILABLE,
    /** RocksDB failed the synced write: nothing in the batch is acknowledged. */
    IO
  }

  private final Reason reason;

  public ReceiptWriteException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ReceiptWriteException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
