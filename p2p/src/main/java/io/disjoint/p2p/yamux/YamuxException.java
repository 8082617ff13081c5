package io.disjoint.p2p.yamux;

import io.disjoint.p2p.P2pException;

/** A Yamux protocol violation or session failure. */
public final class YamuxException extends P2pException {
  private static final long serialVersionUID = 1L;

  public YamuxException(Fault fault, String message) {
    super(fault, message);
  }
}
