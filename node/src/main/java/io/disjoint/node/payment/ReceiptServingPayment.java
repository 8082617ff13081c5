package io.disjoint.node.payment;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.relay.protocol.PaymentRejectedException;
import io.disjoint.relay.protocol.RelayRequest;
import io.disjoint.relay.protocol.ServingPayment;
import io.disjoint.staking.StakingException;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.store.ReceiptStore;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.tuweni.bytes.Bytes32;

/**
 * The serving node's payment check: every relay must carry a receipt signed by the gateway that
 * sent it, for this node, this chain and exactly this request body; after the upstream answered,
 * the receipt and the node's signed attestation are stored durably (the call returns only after
 * the group commit synced them) and the attestation goes back with the answer.
 */
public final class ReceiptServingPayment implements ServingPayment {
  private static final byte[] ZERO_HASH = new byte[32];

  private final ReceiptVerifier verifier;
  private final AttestationSigner attestations;
  private final ReceiptStore store;

  public ReceiptServingPayment(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store) {
    this.verifier = verifier;
    this.attestations = attestations;
    this.store = store;
  }

  @Override
  public Settlement admit(String gatewayPeer, RelayRequest request) {
    if (request.paymentReceipt().length == 0) {
      throw new PaymentRejectedException("this node relays only with a payment receipt; none was attached");
    }
    PaymentReceipt receipt;
    try {
      receipt = ReceiptVerifier.decode(request.paymentReceipt());
      if (!receipt.chain().equals(request.chain())) {
        throw new PaymentRejectedException("receipt is for chain " + receipt.chain() + ", the request for " + request.chain());
      }
      Bytes32 bodyHash = Sha256.hash(request.payload());
      if (!receipt.requestHash().equals(bodyHash)) {
        throw new PaymentRejectedException("receipt request hash does not match the request body");
      }
      verifier.checkPolicy(receipt, Optional.of(PeerId.parse(gatewayPeer)));
      verifier.checkSignature(receipt);
    } catch (StakingException e) {
      throw new PaymentRejectedException(e.getMessage(), e);
    }
    return (payload, headNumber, headHash) -> settle(receipt, payload, headNumber, headHash);
  }

  private byte[] settle(PaymentReceipt receipt, byte[] payload, long headNumber, byte[] headHash) {
    byte[] hash = headHash.length == 32 ? headHash : ZERO_HASH;
    ResponseAttestation a = attestations.attest(receipt, Sha256.hash(payload).toArrayUnsafe(), Math.max(0, headNumber), hash);
    try {
      store.append(receipt, a).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StakingException("interrupted while storing a receipt", e);
    } catch (ExecutionException e) {
      throw new StakingException("receipt could not be stored: " + e.getCause().getMessage(), e.getCause());
    }
    return a.encode();
  }

  @Override
  public String toString() {
    return "ReceiptServingPayment[" + store.dir() + "]";
  }
}
