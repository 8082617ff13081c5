package io.disjoint.p2p.identify;

import io.disjoint.p2p.P2pException;

/** An Identify exchange failed or a peer sent an invalid Identify message. */
public final class IdentifyException extends P2pException {
  private static final long serialVersionUID = 1L;

  public IdentifyException(Fault fault, String message) {
    super(fault, message);
  }

  public IdentifyException(Fault fault, String message, Throwable cause) {
    super(fault, message, cause);
  }
}
