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

  /** Sees the attestation a serving peer returned for a receipt this gateway issued. */
  default void onAttestation(String servingPeer, byte[] receipt, byte[] attestation) {}

  /** Relaying without receipts. */
  GatewayPayment NONE = (peer, chain, payload, cu) -> new byte[0];
}
