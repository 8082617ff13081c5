package io.disjoint.relay.select;

import io.disjoint.relay.route.RouteException;

/** The JSON-RPC errors the router reports (EIP-1474 codes). */
public final class RouteErrors {
  /** Resource unavailable: no peer could answer in time (also used for timeouts, as geth does). */
  public static final int UNAVAILABLE = -32002;
  /** Internal error: a bug in the router. */
  public static final int INTERNAL = -32603;

  private RouteErrors() {}

  public static RouteException noPeers(String chain) {
    return new RouteException(UNAVAILABLE, "no fresh peer serves " + chain);
  }

  public static RouteException timeout() {
    return new RouteException(UNAVAILABLE, "request timed out");
  }

  public static RouteException exhausted(int attempts, String lastFailure) {
    return new RouteException(UNAVAILABLE, "no peer could answer after " + attempts + " attempts (last: " + lastFailure + ")");
  }
}
