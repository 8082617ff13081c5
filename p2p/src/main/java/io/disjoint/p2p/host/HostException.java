package io.disjoint.p2p.host;

import io.disjoint.p2p.P2pException;

/** A host operation failed: a dial, a limit, a protocol negotiation, a stopped host. */
public final class HostException extends P2pException {
  private static final long serialVersionUID = 1L;

  public HostException(Fault fault, String message) {
    super(fault, message);
  }

  public HostException(Fault fault, String message, Throwable cause) {
    super(fault, message, cause);
  }
}
