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
 * @param receiptBatch the gateway's signed receipt batch (with its receipt ids), empty when none;
 *     with an empty payload the request carries only the batch ({@link #batchOnly})
 */
public record RelayRequest(
    long requestId, String chain, byte[] payload, long deadlineUnixMs, byte[] paymentReceipt,
    boolean signAttestation, byte[] receiptBatch) {
  /** A receipt batch message lists at most 1,024 ids of 32 bytes beside its ~250-byte header. */
  public static final int MAX_RECEIPT_BATCH = 40 * 1024;

  public RelayRequest {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(paymentReceipt, "paymentReceipt");
    Objects.requireNonNull(receiptBatch, "receiptBatch");
    if (receiptBatch.length > MAX_RECEIPT_BATCH) {
      throw new RelayProtocolException("receipt batch of " + receiptBatch.length + " bytes is too large");
    }
    if (chain.isEmpty() || chain.getBytes(StandardCharsets.UTF_8).length > RelayProtocol.MAX_CHAIN_ID_BYTES) {
      throw new RelayProtocolException("chain id must be 1.." + RelayProtocol.MAX_CHAIN_ID_BYTES + " bytes");
    }
    if (payload.length == 0 && (receiptBatch.length == 0 || paymentReceipt.length > 0)) {
      throw new RelayProtocolException("empty payload (allowed only in a batch-only request: a receipt batch and no receipt)");
    }
    if (deadlineUnixMs <= 0) {
      throw new RelayProtocolException("deadline must be set");
    }
    if (paymentReceipt.length > RelayProtocol.MAX_SIGNED_BLOB) {
      throw new RelayProtocolException("payment receipt of " + paymentReceipt.length + " bytes is too large");
    }
  }

  public RelayRequest(long requestId, String chain, byte[] payload, long deadlineUnixMs, byte[] paymentReceipt,
      boolean signAttestation) {
    this(requestId, chain, payload, deadlineUnixMs, paymentReceipt, signAttestation, new byte[0]);
  }

  /** A request carrying only a receipt batch for the peer (no JSON-RPC payload, no receipt). */
  public static RelayRequest batchOnly(String chain, long deadlineUnixMs, byte[] receiptBatch) {
    return new RelayRequest(0, chain, new byte[0], deadlineUnixMs, new byte[0], false, receiptBatch);
  }

  public boolean batchOnly() {
    return payload.length == 0;
  }

  /** The same request carrying {@code batch}. */
  public RelayRequest withReceiptBatch(byte[] batch) {
    return new RelayRequest(requestId, chain, payload, deadlineUnixMs, paymentReceipt, signAttestation, batch);
  }

  /** A request that does not ask for a signed attestation. */
  public RelayRequest(long requestId, String chain, byte[] payload, long deadlineUnixMs, byte[] paymentReceipt) {
    this(requestId, chain, payload, deadlineUnixMs, paymentReceipt, false);
  }

  public RelayRequest withRequestId(long id) {
    return new RelayRequest(id, chain, payload, deadlineUnixMs, paymentReceipt, signAttestation, receiptBatch);
  }

  @Override
  public String toString() {
    return "RelayRequest[id=" + requestId + ", chain=" + chain + ", " + payload.length + " bytes"
        + (signAttestation ? ", sign attestation" : "") + (receiptBatch.length > 0 ? ", receipt batch" : "") + "]";
  }
}
