package io.disjoint.testnet;

import io.disjoint.node.config.NodeConfig;
import java.util.List;
import java.util.stream.Collectors;

/** Writes a {@link NodeConfig} as the TOML file {@code disjoint run --config} and NodeMain read. */
final class NodeConfigToml {
  private NodeConfigToml() {}

  static String render(NodeConfig c) {
    StringBuilder b = new StringBuilder();
    b.append("# written by the local testnet launcher\n");
    b.append("data-dir = ").append(quote(c.dataDir().toString())).append('\n');
    b.append("listen = ").append(array(c.listen())).append('\n');
    b.append("serve = ").append(array(c.serve().stream().map(Object::toString).toList())).append('\n');
    c.gateway().ifPresent(g -> b.append("gateway = ").append(quote(g.toString())).append('\n'));
    if (!c.routes().isEmpty()) {
      b.append("route = ").append(array(c.routes())).append('\n');
    }
    b.append("method-profile = ").append(quote(c.methodProfile())).append('\n');
    b.append("peer = ").append(array(c.peers())).append('\n');
    b.append("domain = ").append(quote(c.domain().toFlag())).append('\n');
    c.metrics().ifPresent(m -> b.append("metrics = ").append(quote(m.toString())).append('\n'));
    b.append("key-type = ").append(quote(c.keyType())).append('\n');
    b.append("receipts = ").append(c.receipts()).append('\n');
    b.append("receipt-verify-one-in = ").append(c.receiptSampling().verifyOneIn()).append('\n');
    b.append("receipt-verify-first = ").append(c.receiptSampling().verifyFirstPerGateway()).append('\n');
    b.append("receipt-audit-one-in = ").append(c.receiptSampling().auditOneIn()).append('\n');
    c.blockedAddresses().ifPresent(f -> b.append("blocked-addresses = ").append(quote(f.toString())).append('\n'));
    return b.toString();
  }

  private static String array(List<String> values) {
    return values.stream().map(NodeConfigToml::quote).collect(Collectors.joining(", ", "[", "]"));
  }

  /** A TOML basic string. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (ch < 0x20) {
            b.append(String.format("\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
