package io.disjoint.relay.protocol;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptRejectedException;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.store.ReceiptStore;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serving-side payment with the staking module's receipts: the receipt must pass the verifier's
 * policy (domain, node, epoch, timestamp window, authorized signer who is the sending gateway,
 * replay, payer risk limit) and signature, and must be for exactly this request (its request hash
 * is SHA-256 of the relayed payload, its chain the relayed chain). After a successful answer the
 * node signs a response attestation and appends receipt + attestation to the RocksDB store, once.
 *
 * <p>With {@code awaitDurable} the answer waits for the synced group commit holding the receipt
 * (a node that must never serve a relay it could lose the receipt of); without it the append is
 * queued and the answer goes out at once (a SIGKILL may then lose receipts of the last ~ms).
 */
public final class StakingServingPayment implements ServingPayment {
  private static final Logger log = LoggerFactory.getLogger(StakingServingPayment.class);
  private static final byte[] ZERO_HASH = new byte[32];

  private final ReceiptVerifier verifier;
  private final AttestationSigner attestations;
  private final ReceiptStore store;
  private final boolean awaitDurable;

  public StakingServingPayment(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store, boolean awaitDurable) {
    this.verifier = verifier;
    this.attestations = attestations;
    this.store = store;
    this.awaitDurable = awaitDurable;
  }

  @Override
  public Settlement admit(String gatewayPeer, RelayRequest request) {
    if (request.paymentReceipt().length == 0) {
      throw new PaymentRejectedException("this node relays only with a payment receipt");
    }
    PaymentReceipt receipt;
    try {
      receipt = ReceiptVerifier.decode(request.paymentReceipt());
      if (!receipt.chain().equals(request.chain())) {
        throw new PaymentRejectedException("receipt is for chain " + receipt.chain() + ", request for " + request.chain());
      }
      if (!Arrays.equals(receipt.requestHash().toArrayUnsafe(), Sha256.hash(request.payload()).toArrayUnsafe())) {
        throw new PaymentRejectedException("receipt request hash does not match the relayed payload");
      }
      verifier.checkPolicy(receipt, Optional.of(PeerId.parse(gatewayPeer)));
      verifier.checkSignature(receipt);
    } catch (ReceiptRejectedException e) {
      throw new PaymentRejectedException(e.getMessage(), e);
    }
    return (payload, head, hash) -> settle(receipt, payload, head, hash);
  }

  private byte[] settle(PaymentReceipt receipt, byte[] payload, long head, byte[] hash) {
    ResponseAttestation attestation = attestations.attest(receipt, Sha256.hash(payload).toArray(),
        Math.max(0, head), hash.length == 32 ? hash : ZERO_HASH);
    CompletableFuture<Void> stored = store.append(receipt, attestation);
    if (awaitDurable) {
      stored.join();
    } else {
      stored.whenComplete((v, e) -> {
        if (e != null) {
          log.error("receipt {} could not be stored", receipt.id(), e);
        }
      });
    }
    return attestation.encode();
  }
}
