package io.disjoint.relay.protocol;

/**
 * The gateway's side of payment: the signed receipt to attach to one relay request, and what to do
 * with the attestation that comes back. Called off the event loop.
 */
public interface GatewayPayment {
  /**
   * Signs a receipt for sending {@code payload} on {@code chain} to {@code servingPeer}.
   *
   * @return the encoded receipt, or an empty array to send none
   */
  byte[] receiptFor(String servingPeer, String chain, byte[] payload, int computeUnits);

  /**
   * Whether to ask the serving peer for a signed response attestation on this request. Signing
   * costs the node a signature per answer, so a gateway asks only where it uses the attestation.
   * The default asks every time (the behaviour before attestations became lazy).
   *
   * @param evidence true for calls whose answers may become evidence (quorum reads); an
   *     implementation must ask for those
   */
  default boolean wantsSignedAttestation(boolean evidence) {
    return true;
  }

  /** Sees the attestation a serving peer returned for a receipt this gateway issued. */
  default void onAttestation(String servingPeer, byte[] receipt, byte[] attestation) {}

  /**
   * The signed receipt batch to carry on the next request to {@code servingPeer}
   * ({@code RelayRequest.receipt_batch}), or an empty array. Called right after
   * {@link #receiptFor} for the same request.
   */
  default byte[] receiptBatchFor(String servingPeer) {
    return new byte[0];
  }

  /**
   * A request's receipt batch did not reach {@code servingPeer} (the request failed in transport):
   * the implementation should send it again.
   */
  default void receiptBatchNotDelivered(String servingPeer, byte[] receiptBatch) {}

  /** The serving peer answered OK to a request carrying this gateway's receipt. */
  default void onReceiptAccepted(String servingPeer, byte[] receipt) {}

  /** The serving peer refused a receipt this gateway issued (RECEIPT_REJECTED), saying why. */
  default void onReceiptRejected(String servingPeer, byte[] receipt, String message) {}

  /**
   * The transport requests go out on, for implementations that must send something on their own
   * (receipt batches no request carried). Called once by the router that uses this payment.
   */
  default void useTransport(RelayTransport transport) {}

  /** Relaying without receipts. */
  GatewayPayment NONE = (peer, chain, payload, cu) -> new byte[0];
}
