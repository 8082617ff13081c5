package io.disjoint.relay.protocol;

import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptRejectedException;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.store.ReceiptStore;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serving-side payment with the staking module's receipts: the receipt must pass the verifier's
 * policy (domain, node, epoch, timestamp window, authorized signer who is the sending gateway,
 * replay, payer risk limit) and signature, and must be for exactly this request (its request hash
 * is SHA-256 of the relayed payload, its chain the relayed chain). After a successful answer the
 * node signs a response attestation and appends receipt + attestation to the RocksDB store, once.
 *
 * <p>Two modes:
 *
 * <ul>
 *   <li>{@link #synced synced}: the signature is checked before the request is forwarded and the
 *       answer waits for the synced group commit holding the receipt (a node that must never
 *       serve a relay whose receipt it could lose). Blocking: the relay service runs it on its
 *       blocking executor. The answer then costs one fsync (milliseconds on a busy disk).
 *   <li>{@link #deferred deferred} (what {@code disjoint run} uses): the policy checks run inline
 *       (microseconds: decoding, one SHA-256, the replay set and one RocksDB point read), the
 *       answer goes out as soon as the attestation is signed, and the signature check and the
 *       store append run afterwards on {@code verifyPool}. A receipt is stored only once its
 *       signature verified, so vouchers and epoch claims only ever see verified receipts; the
 *       store still acknowledges a receipt to its writer (this class) only once it is synced.
 *       What this gives up: a SIGKILL may lose the receipts of the answers of the last group
 *       commit (about one fsync, milliseconds), i.e. the node may go unpaid for those relays. The
 *       gateway is never charged for something it did not get. A bad signature can only come
 *       from the gateway that holds the signer key (the policy requires the signer to be the
 *       Noise-authenticated sender), so it costs the node at most the requests of that gateway
 *       already in flight: the gateway is refused from then on.
 * </ul>
 */
public final class StakingServingPayment implements ServingPayment {
  private static final Logger log = LoggerFactory.getLogger(StakingServingPayment.class);
  private static final byte[] ZERO_HASH = new byte[32];
  /** Peers remembered as having sent a bad signature; more are logged but not remembered. */
  private static final int MAX_REFUSED_PEERS = 10_000;

  private final ReceiptVerifier verifier;
  private final AttestationSigner attestations;
  private final ReceiptStore store;
  private final boolean awaitDurable;
  /** Where deferred signature checks and appends run; null in synced mode. */
  private final Executor verifyPool;
  private final Set<String> refusedPeers = ConcurrentHashMap.newKeySet();
  private final LongAdder badSignatures = new LongAdder();
  private final LongAdder storeFailures = new LongAdder();

  /**
   * @param awaitDurable true for {@link #synced}; false keeps the signature check inline but
   *     answers before the receipt is synced (kept for callers of the earlier API)
   */
  public StakingServingPayment(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store, boolean awaitDurable) {
    this(verifier, attestations, store, awaitDurable, null);
  }

  private StakingServingPayment(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store,
      boolean awaitDurable, Executor verifyPool) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.attestations = Objects.requireNonNull(attestations, "attestations");
    this.store = Objects.requireNonNull(store, "store");
    this.awaitDurable = awaitDurable;
    this.verifyPool = verifyPool;
  }

  /** Signature checked before forwarding, answer only after the receipt is synced. */
  public static StakingServingPayment synced(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store) {
    return new StakingServingPayment(verifier, attestations, store, true, null);
  }

  /**
   * Policy inline, answer at once, signature check and synced append afterwards on
   * {@code verifyPool} (virtual threads are fine).
   */
  public static StakingServingPayment deferred(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store,
      Executor verifyPool) {
    return new StakingServingPayment(verifier, attestations, store, false, Objects.requireNonNull(verifyPool, "verifyPool"));
  }

  /** In deferred mode nothing on the answer path blocks: the relay service may stay on its event loop. */
  @Override
  public boolean nonBlocking() {
    return verifyPool != null;
  }

  /** Receipts that were answered but then failed their deferred signature check. */
  public long badSignatures() {
    return badSignatures.sum();
  }

  @Override
  public Settlement admit(String gatewayPeer, RelayRequest request) {
    if (request.paymentReceipt().length == 0) {
      throw new PaymentRejectedException("this node relays only with a payment receipt");
    }
    if (refusedPeers.contains(gatewayPeer)) {
      throw new PaymentRejectedException("an earlier receipt from this gateway had a bad signature; not serving it");
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
      verifier.checkPolicy(receipt, Optional.of(PeerIds.parse(gatewayPeer)));
      if (verifyPool == null) {
        verifier.checkSignature(receipt);
      }
    } catch (ReceiptRejectedException e) {
      throw new PaymentRejectedException(e.getMessage(), e);
    }
    return (payload, head, hash) -> settle(gatewayPeer, receipt, payload, head, hash);
  }

  private byte[] settle(String gatewayPeer, PaymentReceipt receipt, byte[] payload, long head, byte[] hash) {
    ResponseAttestation attestation = attestations.attest(receipt, Sha256.hash(payload).toArray(),
        Math.max(0, head), hash.length == 32 ? hash : ZERO_HASH);
    if (verifyPool != null) {
      verifyPool.execute(() -> verifyAndStore(gatewayPeer, receipt, attestation));
    } else {
      CompletableFuture<Void> stored = store.append(receipt, attestation);
      if (awaitDurable) {
        stored.join();
      } else {
        stored.whenComplete((v, e) -> logStoreFailure(receipt, e));
      }
    }
    return attestation.encode();
  }

  private void verifyAndStore(String gatewayPeer, PaymentReceipt receipt, ResponseAttestation attestation) {
    try {
      verifier.checkSignature(receipt);
    } catch (ReceiptRejectedException e) {
      badSignatures.increment();
      if (refusedPeers.size() < MAX_REFUSED_PEERS) {
        refusedPeers.add(gatewayPeer);
      }
      log.warn("receipt {} from gateway {} failed its signature check after it was answered; refusing that gateway: {}",
          receipt.id(), gatewayPeer, e.getMessage());
      return;
    }
    store.append(receipt, attestation).whenComplete((v, e) -> logStoreFailure(receipt, e));
  }

  private void logStoreFailure(PaymentReceipt receipt, Throwable e) {
    if (e != null) {
      storeFailures.increment();
      log.error("receipt {} could not be stored", receipt.id(), e);
    }
  }
}
