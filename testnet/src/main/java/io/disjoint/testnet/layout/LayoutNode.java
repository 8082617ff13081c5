package io.disjoint.testnet.layout;

import io.disjoint.node.config.DomainClaim;
import io.disjoint.relay.eth.Address;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One node of a testnet layout: a name (also its data directory), its failure domain, and the
 * addresses its operator's jurisdiction blocks (written to the node's blocked-addresses file;
 * empty for most nodes).
 */
public record LayoutNode(String name, DomainClaim domain, List<Address> blocked) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][-a-z0-9_]{0,62}");

  public LayoutNode {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(domain, "domain");
    blocked = List.copyOf(blocked);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("node name must be lower-case letters, digits, '-' or '_', got '" + name + "'");
    }
  }

  public LayoutNode(String name, DomainClaim domain) {
    this(name, domain, List.of());
  }

  /** The same node under another name (layouts repeat nodes with a numeric suffix). */
  public LayoutNode renamed(String newName) {
    return new LayoutNode(newName, domain, blocked);
  }
}
