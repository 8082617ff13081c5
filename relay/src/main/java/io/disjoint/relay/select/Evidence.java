package io.disjoint.relay.select;

import java.time.Instant;
import java.util.Objects;

/**
 * A peer's answer that disagreed with the quorum majority, kept with what makes it attributable:
 * the exact bytes it returned and its signed response attestation.
 *
 * @param chain CAIP-2 chain id
 * @param method JSON-RPC method
 * @param request the request sent (raw JSON bytes)
 * @param dissenter peer id text of the dissenting node
 * @param dissentingPayload the dissenter's raw JSON-RPC response
 * @param dissentingAttestation its signed response attestation (empty when receipts are off)
 * @param majorityCanonical the canonical form the majority agreed on
 * @param majorityPeers peer ids that formed the majority
 */
public record Evidence(
    Instant at,
    String chain,
    String method,
    byte[] request,
    String dissenter,
    byte[] dissentingPayload,
    byte[] dissentingAttestation,
    String majorityCanonical,
    java.util.List<String> majorityPeers) {
  public Evidence {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(dissenter, "dissenter");
    Objects.requireNonNull(dissentingPayload, "dissentingPayload");
    Objects.requireNonNull(dissentingAttestation, "dissentingAttestation");
    Objects.requireNonNull(majorityCanonical, "majorityCanonical");
    majorityPeers = java.util.List.copyOf(majorityPeers);
  }
}
