package io.disjoint.p2p.transport;

import io.disjoint.p2p.P2pException;

/** The connection upgrade (multistream, Noise, muxer selection) failed or timed out. */
public final class UpgradeException extends P2pException {
  private static final long serialVersionUID = 1L;

  public UpgradeException(Fault fault, String message) {
    super(fault, message);
  }

  public UpgradeException(Fault fault, String message, Throwable cause) {
    super(fault, message, cause);
  }
}
