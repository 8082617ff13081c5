package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Optional;

/**
 * One request sent to one peer and what came of it.
 *
 * @param response the peer's JSON-RPC response object when it gave one
 * @param attestation the peer's signed response attestation (empty when none)
 * @param failure why a RETRYABLE attempt failed, for logs and the final error
 */
public record Attempt(
    Candidate candidate,
    Outcome outcome,
    Optional<ObjectNode> response,
    byte[] rawPayload,
    byte[] attestation,
    String failure,
    Duration latency) {
  public ObjectNode responseOrThrow() {
    return response.orElseThrow(() -> new IllegalStateException("attempt has no response: " + failure));
  }
}
