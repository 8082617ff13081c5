package io.disjoint.p2p;

import java.util.Objects;

/**
 * The unchecked base exception of the p2p module. Every instance says who is at fault, so that
 * callers can decide between closing a connection quietly (the peer), logging a bug (us), or
 * telling the operator to fix a file or flag.
 */
public class P2pException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Who caused the failure. */
  public enum Fault {
    /** The remote peer sent something invalid: close its connection, log at debug. */
    PEER,
    /** A bug or broken invariant on our side: log at error. */
    LOCAL,
    /** The operator's input (a key file, a flag, a config value) is wrong. */
    OPERATOR,
    /** Nobody: the connection closed, a timeout fired, the host is stopping. */
    NONE
  }

  private final Fault fault;

  public P2pException(Fault fault, String message) {
    super(message);
    this.fault = Objects.requireNonNull(fault, "fault");
  }

  public P2pException(Fault fault, String message, Throwable cause) {
    super(message, cause);
    this.fault = Objects.requireNonNull(fault, "fault");
  }

  public Fault fault() {
    return fault;
  }
}
