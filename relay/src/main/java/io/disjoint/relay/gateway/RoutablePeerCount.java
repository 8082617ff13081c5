package io.disjoint.relay.gateway;

import java.util.Map;

/** How many peers the router could use now for a chain; the health endpoint reports it. */
@FunctionalInterface
public interface RoutablePeerCount {
  int routablePeers(String chain);

  /**
   * The same peers counted per failure domain (the domain's claim text, e.g.
   * {@code provider=aws,region=us-east-1,country=US,operator=op1,asn=16509}), for the health
   * endpoint; empty when not known.
   */
  default Map<String, Integer> routablePeersByDomain(String chain) {
    return Map.of();
  }
}
