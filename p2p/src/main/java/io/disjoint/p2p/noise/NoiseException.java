package io.disjoint.p2p.noise;

import io.disjoint.p2p.P2pException;

/** A Noise handshake or transport failure; {@link #fault()} says whether the peer caused it. */
public final class NoiseException extends P2pException {
  private static final long serialVersionUID = 1L;

  public NoiseException(Fault fault, String message) {
    super(fault, message);
  }

  public NoiseException(Fault fault, String message, Throwable cause) {
    super(fault, message, cause);
  }

  static NoiseException peer(String message) {
    return new NoiseException(Fault.PEER, message);
  }

  static NoiseException peer(String message, Throwable cause) {
    return new NoiseException(Fault.PEER, message, cause);
  }
}
