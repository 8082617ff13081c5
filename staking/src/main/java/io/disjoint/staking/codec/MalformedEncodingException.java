package io.disjoint.staking.codec;

import io.disjoint.staking.StakingException;

/** Bytes that are not a canonical encoding of the expected struct; the sender is at fault. */
public final class MalformedEncodingException extends StakingException {
  public MalformedEncodingException(String message) {
    super(message);
  }
}
