package io.disjoint.relay.gateway;

/** How many peers the router could use now for a chain; the health endpoint reports it. */
@FunctionalInterface
public interface RoutablePeerCount {
  int routablePeers(String chain);
}
