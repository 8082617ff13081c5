package io.disjoint.p2p.ping;

import io.disjoint.p2p.P2pException;

/** A ping failed: wrong echo, stream closed, or the peer cannot be reached. */
public final class PingException extends P2pException {
  private static final long serialVersionUID = 1L;

  public PingException(Fault fault, String message) {
    super(fault, message);
  }
}
