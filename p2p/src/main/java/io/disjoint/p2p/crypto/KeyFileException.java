package io.disjoint.p2p.crypto;

import io.disjoint.p2p.P2pException;

/** A node key file cannot be read, written or trusted; the operator must fix the file. */
public final class KeyFileException extends P2pException {
  private static final long serialVersionUID = 1L;

  public KeyFileException(String message) {
    super(Fault.OPERATOR, message);
  }

  public KeyFileException(String message, Throwable cause) {
    super(Fault.OPERATOR, message, cause);
  }
}
