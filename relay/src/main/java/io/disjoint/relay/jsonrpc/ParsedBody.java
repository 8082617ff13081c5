package io.disjoint.relay.jsonrpc;

import java.util.List;
import java.util.Objects;

/** What a request body turned out to be. */
public sealed interface ParsedBody {

  /** A single request object (or a single non-object value, as an invalid entry). */
  record Single(RpcEntry entry) implements ParsedBody {
    public Single {
      Objects.requireNonNull(entry, "entry");
    }
  }

  /** A non-empty batch within the batch limit, in client order. */
  record Batch(List<RpcEntry> entries) implements ParsedBody {
    public Batch {
      entries = List.copyOf(entries);
      if (entries.isEmpty()) {
        throw new IllegalArgumentException("a batch has at least one entry");
      }
    }
  }

  /**
   * The body as a whole is rejected with one error: invalid JSON, empty batch, batch too large.
   *
   * @param asArray true when geth answers with a one-element array (batch too large)
   * @param rawId the id to report (the first call's id for batch too large), JSON text
   */
  record Rejected(JsonRpcError error, boolean asArray, String rawId) implements ParsedBody {
    public Rejected {
      Objects.requireNonNull(error, "error");
      Objects.requireNonNull(rawId, "rawId");
    }
  }
}
