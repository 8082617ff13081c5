package io.disjoint.relay.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One decoded relay request.
 *
 * @param requestId unique among the requests in flight on its stream
 * @param chain CAIP-2 chain id
 * @param payload raw JSON-RPC request bytes
 * @param deadlineUnixMs when the gateway stops waiting
 * @param paymentReceipt the gateway's signed receipt, empty when receipts are off
 * @param signAttestation whether the gateway wants the node's signed response attestation back
 *     (quorum evidence, audits); otherwise the node may answer without one
 */
public record RelayRequest(
    long requestId, String chain, byte[] payload, long deadlineUnixMs, byte[] paymentReceipt,
    boolean signAttestation) {
  public RelayRequest {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(paymentReceipt, "paymentReceipt");
    if (chain.isEmpty() || chain.getBytes(StandardCharsets.UTF_8).length > RelayProtocol.MAX_CHAIN_ID_BYTES) {
      throw new RelayProtocolException("chain id must be 1.." + RelayProtocol.MAX_CHAIN_ID_BYTES + " bytes");
    }
    if (payload.length == 0) {
      throw new RelayProtocolException("empty payload");
    }
    if (deadlineUnixMs <= 0) {
      throw new RelayProtocolException("deadline must be set");
    }
    if (paymentReceipt.length > RelayProtocol.MAX_SIGNED_BLOB) {
      throw new RelayProtocolException("payment receipt of " + paymentReceipt.length + " bytes is too large");
    }
  }

  /** A request that does not ask for a signed attestation. */
  public RelayRequest(long requestId, String chain, byte[] payload, long deadlineUnixMs, byte[] paymentReceipt) {
    this(requestId, chain, payload, deadlineUnixMs, paymentReceipt, false);
  }

  public RelayRequest withRequestId(long id) {
    return new RelayRequest(id, chain, payload, deadlineUnixMs, paymentReceipt, signAttestation);
  }

  @Override
  public String toString() {
    return "RelayRequest[id=" + requestId + ", chain=" + chain + ", " + payload.length + " bytes"
        + (signAttestation ? ", sign attestation" : "") + "]";
  }
}
