package io.disjoint.node;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What lives in a node's {@code --data-dir}. Each store keeps its own metadata file and opens
 * fail-closed; nothing here is ever deleted automatically.
 *
 * <pre>
 * node.key      the libp2p private key (protobuf, owner-only permissions); its peer id is the node's identity
 * receipts/     RocksDB receipt store (payment receipts and response attestations)
 * evidence/     signed answers of peers that lost a quorum vote (gateway)
 * </pre>
 */
public record DataDir(Path root) {
  public DataDir {
    Objects.requireNonNull(root, "root");
    root = root.toAbsolutePath().normalize();
  }

  public Path keyFile() {
    return root.resolve("node.key");
  }

  public Path receipts() {
    return root.resolve("receipts");
  }

  public Path evidence() {
    return root.resolve("evidence");
  }

  /** The gateway's evidence log: one JSON object per line, forced to disk per record. */
  public Path evidenceLog() {
    return evidence().resolve("evidence.jsonl");
  }

  public Path ledger() {
    return root.resolve("ledger");
  }
}
