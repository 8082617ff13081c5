package io.disjoint.testnet.layout;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.disjoint.node.config.ConfigException;
import io.disjoint.node.config.DomainClaim;
import io.disjoint.node.config.ServeSpec;
import io.disjoint.testnet.TestnetException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where the nodes of a local testnet sit: the chain they serve, one gateway and the serving
 * nodes with their failure domains. Read from TOML (see testnet/layouts/default.toml).
 */
public record Layout(String chain, LayoutNode gateway, List<LayoutNode> nodes) {
  public static final String DEFAULT_RESOURCE = "/io/disjoint/testnet/layouts/default.toml";

  public Layout {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(gateway, "gateway");
    nodes = List.copyOf(nodes);
    if (!ServeSpec.isCaip2(chain)) {
      throw new TestnetException("layout chain must be a CAIP-2 id such as eip155:31337, got '" + chain + "'");
    }
    if (nodes.isEmpty()) {
      throw new TestnetException("layout has no [[node]] entries");
    }
    Set<String> names = new HashSet<>();
    names.add(gateway.name());
    for (LayoutNode n : nodes) {
      if (!names.add(n.name())) {
        throw new TestnetException("layout names node '" + n.name() + "' twice");
      }
    }
  }

  /** The layout committed with the project: six nodes, three providers, two countries, three operators. */
  public static Layout defaultLayout() {
    try (InputStream in = Layout.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new TestnetException("default layout " + DEFAULT_RESOURCE + " is missing from the class path");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default layout");
    } catch (IOException e) {
      throw new TestnetException("cannot read the default layout: " + e.getMessage(), e);
    }
  }

  /** Reads a layout file; every error names the --layout flag and the file. */
  public static Layout load(Path file) {
    try {
      return parse(Files.readString(file), "--layout " + file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new TestnetException("--layout file does not exist: " + file, e);
    } catch (IOException e) {
      throw new TestnetException("--layout file cannot be read: " + file + " (" + e.getMessage() + ")", e);
    }
  }

  public static Layout parse(String toml, String where) {
    JsonNode root;
    try {
      root = new TomlMapper().readTree(toml);
    } catch (JacksonException e) {
      throw new TestnetException(where + " is not valid TOML: " + e.getOriginalMessage(), e);
    }
    String chain = root.path("chain").asText("eip155:31337");
    JsonNode gw = root.path("gateway");
    LayoutNode gateway = gw.isObject() ? node(gw, where + " [gateway]")
        : new LayoutNode("gateway", DomainClaim.UNDECLARED);
    List<LayoutNode> nodes = new ArrayList<>();
    int i = 0;
    for (JsonNode n : root.path("node")) {
      nodes.add(node(n, where + " [[node]] #" + (++i)));
    }
    return new Layout(chain, gateway, nodes);
  }

  private static LayoutNode node(JsonNode n, String where) {
    String name = n.path("name").asText("");
    try {
      DomainClaim domain = n.has("domain")
          ? DomainClaim.parse(n.get("domain").asText(), where + " domain")
          : DomainClaim.UNDECLARED;
      List<io.disjoint.relay.eth.Address> blocked = new ArrayList<>();
      for (JsonNode a : n.path("blocked")) {
        blocked.add(io.disjoint.relay.eth.Address.fromHex(a.asText()));
      }
      return new LayoutNode(name, domain, blocked);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new TestnetException(e.getMessage().startsWith(where) ? e.getMessage() : where + ": " + e.getMessage(), e);
    }
  }

  /**
   * The first {@code count} nodes; past the end of the list it starts again with a numeric
   * suffix ({@code aws-use1-op1-2}), so every node keeps a domain from the layout.
   */
  public Layout withNodeCount(int count) {
    if (count < 1) {
      throw new TestnetException("--nodes must be at least 1, got " + count);
    }
    List<LayoutNode> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      LayoutNode base = nodes.get(i % nodes.size());
      int round = i / nodes.size();
      out.add(round == 0 ? base : base.renamed(base.name() + "-" + (round + 1)));
    }
    return new Layout(chain, gateway, out);
  }

  /** Number of distinct values of one domain dimension, e.g. {@code distinct(DomainClaim::provider)}. */
  public int distinct(Function<DomainClaim, ?> dimension) {
    return nodes.stream().map(n -> dimension.apply(n.domain())).collect(Collectors.toSet()).size();
  }
}
