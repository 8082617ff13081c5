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

  /** Relaying without receipts. */
  GatewayPayment NONE = (peer, chain, payload, cu) -> new byte[0];
}
