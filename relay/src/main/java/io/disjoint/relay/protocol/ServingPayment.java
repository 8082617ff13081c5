package io.disjoint.relay.protocol;

/**
 * The serving node's side of payment: checks the receipt a gateway attached before the request is
 * forwarded, and after a successful answer stores the receipt (exactly once) and signs the
 * response attestation. Implementations may block (signature checks, RocksDB): {@link RelayService}
 * calls them on its blocking executor, never on an event loop, unless they say they do not block
 * ({@link #nonBlocking}).
 */
public interface ServingPayment {
  /**
   * Checks the receipt of one request.
   *
   * @throws PaymentRejectedException naming why the gateway's receipt is unacceptable
   */
  Settlement admit(String gatewayPeer, RelayRequest request);

  /** Completes one admitted relay. */
  interface Settlement {
    /**
     * Stores the receipt and returns the signed response attestation bytes: empty when receipts
     * are off or the request did not ask for a signed attestation ({@link RelayRequest#signAttestation}).
     */
    byte[] settle(byte[] responsePayload, long headNumber, byte[] headHash);
  }

  /**
   * Takes a gateway's signed receipt batch ({@link RelayRequest#receiptBatch}), from a request
   * of its own or beside a relayed one. Must not block: implementations hand the work to a worker.
   * The default (no receipts, or per-receipt signatures only) ignores it.
   */
  default void acceptBatch(String gatewayPeer, byte[] receiptBatch) {}

  /** Whether this implementation does nothing (lets the service skip the executor hop). */
  default boolean free() {
    return false;
  }

  /**
   * Whether {@link #admit} and {@link Settlement#settle} only compute (microseconds, no waiting
   * on disk or locks), so the service may call them on the event loop that has the request.
   */
  default boolean nonBlocking() {
    return free();
  }

  /** Relaying without receipts: accepts everything, stores nothing, attests nothing. */
  ServingPayment FREE = new ServingPayment() {
    private static final byte[] NONE = new byte[0];

    @Override
    public Settlement admit(String gatewayPeer, RelayRequest request) {
      return (payload, head, hash) -> NONE;
    }

    @Override
    public boolean free() {
      return true;
    }
  };
}
