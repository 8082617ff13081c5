package io.disjoint.relay.route;

/** A routing failure with the JSON-RPC error code and message to return to the client. */
public class RouteException extends RuntimeException {
  private final int code;

  public RouteException(int code, String message) {
    super(message);
    this.code = code;
  }

  public RouteException(int code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public int code() {
    return code;
  }
}
