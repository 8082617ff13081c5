package io.disjoint.relay.protocol;

/**
 * A relay attempt failed below the JSON-RPC layer: the stream could not be opened, was closed or
 * reset, or no response arrived before the deadline. Always worth retrying on another peer.
 */
public class RelayTransportException extends RuntimeException {
  public enum Kind {
    /** The stream or connection could not be opened. */
    CONNECT,
    /** The stream closed or was reset with the request in flight. */
    CLOSED,
    /** No response before the deadline. */
    TIMEOUT,
    /** The serving side sent bytes that break the protocol. */
    PROTOCOL
  }

  private final Kind kind;

  public RelayTransportException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public RelayTransportException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
