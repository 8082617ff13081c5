package io.disjoint.relay.protocol;

/**
 * The remote side broke the relay or hello protocol (bad framing, garbage protobuf, invalid
 * field). The stream it arrived on is reset; other streams and the connection are unaffected.
 */
public class RelayProtocolException extends RuntimeException {
  public RelayProtocolException(String message) {
    super(message);
  }

  public RelayProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
