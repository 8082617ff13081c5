package io.disjoint.node;

import io.disjoint.node.config.ConfigException;
import io.disjoint.node.config.DomainClaim;
import io.disjoint.relay.directory.FailureDomain;

/** The configured claim as the relay layer's failure domain (what the hello carries). */
final class DomainClaimMapping {
  private DomainClaimMapping() {}

  static FailureDomain toFailureDomain(DomainClaim c) {
    return new FailureDomain(c.provider(), c.region(), c.country(), c.operator(), c.asn());
  }

  /** Fails with the flag named if the relay layer would not accept the claim. */
  static void check(DomainClaim c) {
    try {
      toFailureDomain(c);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage().startsWith("--domain") ? e.getMessage() : "--domain " + e.getMessage(), e);
    }
  }
}
