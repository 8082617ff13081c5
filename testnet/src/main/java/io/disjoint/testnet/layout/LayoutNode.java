package io.disjoint.testnet.layout;

import io.disjoint.node.config.DomainClaim;
import java.util.Objects;
import java.util.regex.Pattern;

/** One node of a testnet layout: a name (also its data directory) and its failure domain. */
public record LayoutNode(String name, DomainClaim domain) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][-a-z0-9_]{0,62}");

  public LayoutNode {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(domain, "domain");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("node name must be lower-case letters, digits, '-' or '_', got '" + name + "'");
    }
  }
}
