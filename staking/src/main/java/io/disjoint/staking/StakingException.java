package io.disjoint.staking;

/**
 * The one unchecked exception base of the staking module. Subclasses say who is at fault: a peer
 * that sent something invalid (rejections), the local storage (fail-closed start-up errors), or a
 * caller asking the ledger for something its rules forbid.
 */
public class StakingException extends RuntimeException {
  public StakingException(String message) {
    super(message);
  }

  public StakingException(String message, Throwable cause) {
    super(message, cause);
  }
}
