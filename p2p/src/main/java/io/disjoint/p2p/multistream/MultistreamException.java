package io.disjoint.p2p.multistream;

import io.disjoint.p2p.P2pException;

/** multistream-select failed: a malformed line, an unexpected answer, or no common protocol. */
public final class MultistreamException extends P2pException {
  private static final long serialVersionUID = 1L;

  public MultistreamException(Fault fault, String message) {
    super(fault, message);
  }
}
