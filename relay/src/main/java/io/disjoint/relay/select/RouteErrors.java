package io.disjoint.relay.select;

import io.disjoint.relay.route.RouteException;

/** The JSON-RPC errors the router reports (EIP-1474 codes). */
public final class RouteErrors {
  /** Resource unavailable: no peer could answer in time (also used for timeouts, as geth does). */
  public static final int UNAVAILABLE = -32002;
  /** Internal error: a bug in the router. */
  public static final int INTERNAL = -32603;

  private RouteErrors() {}

  /**
   * No candidate at all. {@code servingPeers} is how many peers the directory lists for the chain:
   * none (no connected peer advertises it right now) or some that are all too far behind the tip
   * or excluded for this request.
   */
  public static RouteException noPeers(String chain, int servingPeers) {
    if (servingPeers == 0) {
      return new RouteException(UNAVAILABLE, "no peer serves " + chain + " right now; retry when one connects");
    }
    return new RouteException(UNAVAILABLE, "no fresh peer serves " + chain + " right now: " + servingPeers
        + (servingPeers == 1 ? " peer serves" : " peers serve") + " it, none usable (too far behind the chain tip or already tried)");
  }

  public static RouteException timeout() {
    return new RouteException(UNAVAILABLE, "request timed out");
  }

  public static RouteException exhausted(int attempts, String lastFailure) {
    return new RouteException(UNAVAILABLE, "no peer could answer after " + attempts + " attempts (last: " + lastFailure + ")");
  }
}
