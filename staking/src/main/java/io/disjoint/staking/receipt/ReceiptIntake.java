package io.disjoint.staking.receipt;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.store.ReceiptStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.tuweni.bytes.Bytes32;

/**
 * The serving node's receipt path in two calls, with the signature check off the hot path:
 *
 * <ol>
 *   <li>{@link #admit} before forwarding the request: policy checks inline (microseconds), the
 *       signature check started on {@code verifyPool} in parallel with the upstream call;
 *   <li>{@link #record} once the answer and its attestation exist: waits for the signature
 *       check, then appends to the store. The returned future completes when the receipt is
 *       durable, and fails if the signature was bad (the receipt is never stored then).
 * </ol>
 */
public final class ReceiptIntake {
  private final ReceiptVerifier verifier;
  private final ReceiptStore store;
  private final Executor verifyPool;

  /** A receipt that passed the policy checks; its signature check is under way. */
  public record Admitted(PaymentReceipt receipt, Bytes32 id,
      CompletableFuture<PaymentReceipt> signatureChecked) {}

  public ReceiptIntake(ReceiptVerifier verifier, ReceiptStore store, Executor verifyPool) {
    this.verifier = verifier;
    this.store = store;
    this.verifyPool = verifyPool;
  }

  /**
   * @throws ReceiptRejectedException if a policy check fails (do not serve the request)
   */
  public Admitted admit(PaymentReceipt receipt, Optional<PeerId> sender) {
    Bytes32 id = verifier.checkPolicy(receipt, sender);
    return new Admitted(receipt, id, verifier.checkSignatureAsync(receipt, verifyPool));
  }

  /** Stores the receipt with its attestation once its signature is known good. */
  public CompletableFuture<Void> record(Admitted admitted, ResponseAttestation attestation) {
    return admitted.signatureChecked().thenCompose(r -> store.append(r, attestation));
  }
}
