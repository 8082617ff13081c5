package io.disjoint.relay.protocol;

import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.BatchedReceiptTracker;
import io.disjoint.staking.receipt.ReceiptBatchMessage;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptRejectedException;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.receipt.SignatureSampler;
import io.disjoint.staking.store.BatchRef;
import io.disjoint.staking.store.ReceiptStore;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.tuweni.bytes.Bytes32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serving-side payment with the staking module's receipts: the receipt must pass the verifier's
 * policy (domain, node, epoch, timestamp window, authorized signer who is the sending gateway,
 * replay, payer risk limit) and must be for exactly this request (its request hash is SHA-256 of
 * the relayed payload, its chain the relayed chain). After a successful answer the node builds
 * its response attestation and appends receipt + attestation to the RocksDB store, once.
 *
 * <p>Attestations are lazy: the node signs one only when the request asks for it
 * ({@link RelayRequest#signAttestation}: quorum calls and the gateway's audit share); otherwise
 * the answer carries none and the attestation is stored unsigned (its id, which claim leaves
 * commit to, does not depend on the signature; a claim proof signs it when needed).
 *
 * <p>Two modes:
 *
 * <ul>
 *   <li>{@link #synced synced}: every signature is checked before the request is forwarded and
 *       the answer waits for the synced group commit holding the receipt (a node that must never
 *       serve a relay whose receipt it could lose). Blocking: the relay service runs it on its
 *       blocking executor. The answer then costs one fsync (milliseconds on a busy disk).
 *   <li>{@link #deferred deferred} (what {@code disjoint run} uses): the policy checks run inline
 *       (microseconds: decoding, one SHA-256, the replay set and one RocksDB point read), the
 *       answer goes out at once, and the store append runs afterwards on {@code verifyPool},
 *       preceded by a signature check for the receipts the {@link SignatureSampler} picks (the
 *       first few of each gateway, then a random share). A bad signature can only come from the
 *       gateway that holds the signer key (the policy requires the signer to be the
 *       Noise-authenticated sender); a sampled bad one makes the node refuse that gateway from
 *       then on, and an unsampled one is stored but never claimed: epoch claims verify every
 *       leaf first, and a voucher needs the gateway's own signature over the batch. What this
 *       gives up: a SIGKILL may lose the receipts of the answers of the last group commit (about
 *       one fsync), and a forging gateway gets about {@code oneIn} answers before it is caught,
 *       both bounded by the payer's risk limit. The gateway is never charged for something it did
 *       not get.
 * </ul>
 *
 * <p>Batched receipts (deferred mode with a {@link BatchedReceiptTracker}): a receipt with no
 * signature of its own passes the same inline policy checks, is answered at once, and waits in the
 * tracker until the gateway's signed {@link io.disjoint.staking.receipt.ReceiptBatch} lists it
 * ({@link #acceptBatch}: one signature check per batch on {@code verifyPool}); it is then stored
 * with its batch reference. A gateway whose batch is forged, foreign or lists another gateway's
 * receipts, or that leaves a receipt unbatched for the tracker's timeout (1 s), is refused from
 * then on. Unbatched value counts against the payer's risk limit (the verifier's {@code unpaid}
 * should add {@link BatchedReceiptTracker#pendingValue}). Without a tracker (or in synced mode)
 * unsigned receipts are refused with a message saying so, and a batching gateway falls back to
 * signing each receipt for this node.
 */
public final class StakingServingPayment implements ServingPayment {
  private static final Logger log = LoggerFactory.getLogger(StakingServingPayment.class);
  private static final byte[] ZERO_HASH = new byte[32];
  private static final byte[] NO_ATTESTATION = new byte[0];
  /** What a node without batching says to an unsigned receipt; gateways match "unsigned receipt". */
  public static final String UNSIGNED_REFUSED =
      "unsigned receipt: this node takes only receipts signed one by one (receipt batches are off here)";
  /** Peers remembered as having sent a bad signature; more are logged but not remembered. */
  private static final int MAX_REFUSED_PEERS = 10_000;

  private final ReceiptVerifier verifier;
  private final AttestationSigner attestations;
  private final ReceiptStore store;
  private final boolean awaitDurable;
  /** Where deferred signature checks and appends run; null in synced mode. */
  private final Executor verifyPool;
  private final SignatureSampler sampler;
  /** Batched receipts waiting for their gateway's batch; null: unsigned receipts are refused. */
  private final BatchedReceiptTracker batches;
  private final LongAdder batchesAccepted = new LongAdder();
  private final LongAdder batchFaults = new LongAdder();
  private final LongAdder batchReplays = new LongAdder();
  private final LongAdder storedBatched = new LongAdder();
  private final Set<String> refusedPeers = ConcurrentHashMap.newKeySet();
  /**
   * Gateways that left a receipt unbatched past the timeout, until when they are refused. Not for
   * good: a gateway that crashed (or lost a connection) between a receipt and its batch is the
   * usual cause, and what it can take per suspension is one timeout's worth of answers.
   */
  private final ConcurrentHashMap<String, Long> suspendedUntil = new ConcurrentHashMap<>();
  /** How long a gateway whose batch never came is refused. */
  public static final long UNBATCHED_SUSPENSION_MS = 60_000;
  private final LongAdder badSignatures = new LongAdder();
  private final LongAdder signaturesChecked = new LongAdder();
  private final LongAdder storedUnchecked = new LongAdder();
  private final LongAdder attestationsSigned = new LongAdder();
  private final LongAdder storeFailures = new LongAdder();
  /** Answered receipts on their way to the store; drained by one task at a time on verifyPool. */
  private final ConcurrentLinkedQueue<Answered> answered = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  /**
   * One answered relay whose receipt is still to be (sample-checked and) stored; {@code batch}
   * is set for a batched receipt whose batch is known (no signature check: the batch had one).
   */
  private record Answered(String gatewayPeer, PaymentReceipt receipt, ResponseAttestation attestation, boolean check,
      BatchRef batch) {}

  /**
   * @param awaitDurable true for {@link #synced}; false keeps the signature check inline but
   *     answers before the receipt is synced (kept for callers of the earlier API)
   */
  public StakingServingPayment(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store, boolean awaitDurable) {
    this(verifier, attestations, store, awaitDurable, null, SignatureSampler.everyReceipt(), null);
  }

  private StakingServingPayment(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store,
      boolean awaitDurable, Executor verifyPool, SignatureSampler sampler, BatchedReceiptTracker batches) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.attestations = Objects.requireNonNull(attestations, "attestations");
    this.store = Objects.requireNonNull(store, "store");
    this.awaitDurable = awaitDurable;
    this.verifyPool = verifyPool;
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.batches = batches;
  }

  /** Signature checked before forwarding, answer only after the receipt is synced. */
  public static StakingServingPayment synced(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store) {
    return new StakingServingPayment(verifier, attestations, store, true, null, SignatureSampler.everyReceipt(), null);
  }

  /**
   * Policy inline, answer at once, signature check (every receipt) and synced append afterwards
   * on {@code verifyPool} (virtual threads are fine).
   */
  public static StakingServingPayment deferred(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store,
      Executor verifyPool) {
    return deferred(verifier, attestations, store, verifyPool, SignatureSampler.everyReceipt());
  }

  /** As {@link #deferred(ReceiptVerifier, AttestationSigner, ReceiptStore, Executor)}, checking only the signatures {@code sampler} picks. */
  public static StakingServingPayment deferred(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store,
      Executor verifyPool, SignatureSampler sampler) {
    return new StakingServingPayment(verifier, attestations, store, false, Objects.requireNonNull(verifyPool, "verifyPool"),
        sampler, null);
  }

  /**
   * As {@link #deferred(ReceiptVerifier, AttestationSigner, ReceiptStore, Executor, SignatureSampler)},
   * also taking batched receipts: {@code batches} holds them until their gateway's batch arrives.
   * Call {@link #sweepBatches} every ~100 ms.
   */
  public static StakingServingPayment deferred(ReceiptVerifier verifier, AttestationSigner attestations, ReceiptStore store,
      Executor verifyPool, SignatureSampler sampler, BatchedReceiptTracker batches) {
    return new StakingServingPayment(verifier, attestations, store, false, Objects.requireNonNull(verifyPool, "verifyPool"),
        sampler, Objects.requireNonNull(batches, "batches"));
  }

  /** In deferred mode nothing on the answer path blocks: the relay service may stay on its event loop. */
  @Override
  public boolean nonBlocking() {
    return verifyPool != null;
  }

  /** Receipts that were answered but then failed their deferred (sampled) signature check. */
  public long badSignatures() {
    return badSignatures.sum();
  }

  /** Receipt signatures checked (inline or deferred). */
  public long signaturesChecked() {
    return signaturesChecked.sum();
  }

  /** Receipts stored without a signature check (not sampled); claims verify them later. */
  public long storedUnchecked() {
    return storedUnchecked.sum();
  }

  /** Receipt batches accepted (signature checked once each). */
  public long batchesAccepted() {
    return batchesAccepted.sum();
  }

  /** Gateways refused for breaking the batching rules (forged, foreign or missing batches). */
  public long batchFaults() {
    return batchFaults.sum();
  }

  /** Batches received again after they were accepted (ignored). */
  public long batchReplays() {
    return batchReplays.sum();
  }

  /** Receipts stored with a batch reference instead of their own signature. */
  public long storedBatched() {
    return storedBatched.sum();
  }

  /** Attestations signed because a request asked for one. */
  public long attestationsSigned() {
    return attestationsSigned.sum();
  }

  @Override
  public Settlement admit(String gatewayPeer, RelayRequest request) {
    if (request.paymentReceipt().length == 0) {
      throw new PaymentRejectedException("this node relays only with a payment receipt");
    }
    if (refusedPeers.contains(gatewayPeer)) {
      throw new PaymentRejectedException("an earlier receipt from this gateway had a bad signature, or a receipt"
          + " batch of it was forged or foreign; not serving it");
    }
    if (!suspendedUntil.isEmpty()) {
      checkSuspension(gatewayPeer);
    }
    PaymentReceipt receipt;
    Bytes32 id;
    try {
      receipt = ReceiptVerifier.decodeMaybeBatched(request.paymentReceipt());
      if (!receipt.isSigned() && (batches == null || verifyPool == null)) {
        throw new PaymentRejectedException(UNSIGNED_REFUSED);
      }
      if (!receipt.chain().equals(request.chain())) {
        throw new PaymentRejectedException("receipt is for chain " + receipt.chain() + ", request for " + request.chain());
      }
      if (!Arrays.equals(receipt.requestHash().toArrayUnsafe(), Sha256.hash(request.payload()).toArrayUnsafe())) {
        throw new PaymentRejectedException("receipt request hash does not match the relayed payload");
      }
      id = checkPolicy(gatewayPeer, receipt);
      if (verifyPool == null) {
        signaturesChecked.increment();
        verifier.checkSignature(receipt);
      }
    } catch (ReceiptRejectedException e) {
      throw new PaymentRejectedException(e.getMessage(), e);
    }
    boolean sign = request.signAttestation();
    Bytes32 receiptId = id;
    return (payload, head, hash) -> settle(gatewayPeer, receipt, receiptId, sign, payload, head, hash);
  }

  /** Policy checks; an unsigned receipt is then tracked (admitted or refused) for its batch. */
  private Bytes32 checkPolicy(String gatewayPeer, PaymentReceipt receipt) {
    if (receipt.isSigned()) {
      return verifier.checkPolicy(receipt, Optional.of(PeerIds.parse(gatewayPeer)));
    }
    Bytes32 id;
    try {
      id = verifier.checkPolicy(receipt, Optional.of(PeerIds.parse(gatewayPeer)));
    } catch (ReceiptRejectedException e) {
      // Its batch will still list it; the batch must not wait for it.
      batches.refused(gatewayPeer, receipt, receipt.id());
      throw e;
    }
    batches.admitted(gatewayPeer, receipt, id);
    return id;
  }

  private byte[] settle(String gatewayPeer, PaymentReceipt receipt, Bytes32 receiptId, boolean sign, byte[] payload,
      long head, byte[] hash) {
    ResponseAttestation attestation = attestations.unsigned(receiptId, receipt, Sha256.hash(payload).toArray(),
        Math.max(0, head), hash.length == 32 ? hash : ZERO_HASH);
    if (sign) {
      attestation = attestations.sign(attestation);
      attestationsSigned.increment();
    }
    ResponseAttestation kept = attestation;
    if (!receipt.isSigned()) {
      batches.answered(receiptId, kept).ifPresent(r -> handOff(new Answered(gatewayPeer, r.receipt(), r.attestation(),
          false, refOf(r))));
    } else if (verifyPool != null) {
      handOff(new Answered(gatewayPeer, receipt, kept, sampler.shouldVerify(gatewayPeer), null));
    } else {
      CompletableFuture<Void> stored = store.append(receipt, attestation);
      if (awaitDurable) {
        stored.join();
      } else {
        stored.whenComplete((v, e) -> logStoreFailure(receipt, e));
      }
    }
    return sign ? attestation.encode() : NO_ATTESTATION;
  }

  /**
   * Queues an answered receipt and wakes a drain task only if none is running: under load one
   * wake-up of a worker thread carries many receipts instead of one hop per relay.
   */
  private void handOff(Answered a) {
    answered.add(a);
    if (draining.compareAndSet(false, true)) {
      try {
        verifyPool.execute(this::drain);
      } catch (RejectedExecutionException e) {
        // Shutting down: let the next hand-off (or close) try again rather than wedging the flag.
        draining.set(false);
        log.warn("receipt workers refused the store hand-off ({} receipts waiting): {}", answered.size(), e.toString());
      }
    }
  }

  private void drain() {
    do {
      Answered a;
      while ((a = answered.poll()) != null) {
        try {
          if (a.batch() != null) {
            storeBatched(a.receipt(), a.attestation(), a.batch());
          } else if (a.check()) {
            verifyAndStore(a.gatewayPeer(), a.receipt(), a.attestation());
          } else {
            storeUnchecked(a.receipt(), a.attestation());
          }
        } catch (RuntimeException e) {
          storeFailures.increment();
          log.error("bug while storing receipt {}", a.receipt().id(), e);
        }
      }
      draining.set(false);
      // A receipt queued after the last poll but before the flag was cleared would be stranded
      // if nobody looked again.
    } while (!answered.isEmpty() && draining.compareAndSet(false, true));
  }

  private void verifyAndStore(String gatewayPeer, PaymentReceipt receipt, ResponseAttestation attestation) {
    signaturesChecked.increment();
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

  private void storeBatched(PaymentReceipt receipt, ResponseAttestation attestation, BatchRef ref) {
    storedBatched.increment();
    store.appendBatched(receipt, attestation, ref).whenComplete((v, e) -> logStoreFailure(receipt, e));
  }

  private static BatchRef refOf(BatchedReceiptTracker.Ready r) {
    return new BatchRef(r.batchEpoch(), r.batch().batch().id(), r.leafIndex());
  }

  @Override
  public void acceptBatch(String gatewayPeer, byte[] receiptBatch) {
    if (batches == null || verifyPool == null) {
      return;
    }
    try {
      verifyPool.execute(() -> takeBatch(gatewayPeer, receiptBatch));
    } catch (RejectedExecutionException e) {
      log.warn("receipt workers refused a receipt batch from {}: {}", gatewayPeer, e.toString());
    }
  }

  /** On a worker: one signature check, the batch recorded, then its answered receipts stored. */
  private void takeBatch(String gatewayPeer, byte[] bytes) {
    ReceiptBatchMessage m;
    BatchedReceiptTracker.Outcome outcome;
    try {
      try {
        m = ReceiptBatchMessage.decode(bytes);
      } catch (RuntimeException e) {
        throw new ReceiptRejectedException(ReceiptRejectedException.Reason.MALFORMED, "receipt batch: " + e.getMessage());
      }
      batches.checkBatch(PeerIds.parse(gatewayPeer), m);
      long keyEpoch = verifier.batchKeyEpoch();
      // Queued before any receipt that names it, so it is durable no later than they are.
      store.recordBatch(keyEpoch, m).whenComplete((v, e) -> {
        if (e != null) {
          storeFailures.increment();
          log.error("receipt batch {} could not be stored", m.batch().id(), e);
        }
      });
      outcome = batches.onBatch(gatewayPeer, m, keyEpoch);
    } catch (ReceiptRejectedException e) {
      if (e.reason() == ReceiptRejectedException.Reason.BATCH_REPLAY) {
        batchReplays.increment();
        log.debug("gateway {} sent a receipt batch again: {}", gatewayPeer, e.getMessage());
      } else {
        refuse(gatewayPeer, e);
      }
      return;
    } catch (RuntimeException e) {
      storeFailures.increment();
      log.error("bug while taking a receipt batch from {}", gatewayPeer, e);
      return;
    }
    batchesAccepted.increment();
    storeOutcome(outcome);
  }

  /**
   * Retries batches waiting for receipts that arrived after them and refuses gateways that left a
   * receipt unbatched past the timeout. Call every ~100 ms (it only touches memory and queues).
   */
  public void sweepBatches() {
    if (batches == null) {
      return;
    }
    BatchedReceiptTracker.Outcome outcome = batches.sweep();
    Set<String> faulted = new java.util.HashSet<>();
    for (BatchedReceiptTracker.Fault f : outcome.faults()) {
      if (faulted.add(f.gateway())) {
        refuse(f.gateway(), f.error());
      }
    }
    storeOutcome(outcome);
  }

  private void storeOutcome(BatchedReceiptTracker.Outcome outcome) {
    for (BatchedReceiptTracker.Ready r : outcome.ready()) {
      handOff(new Answered("", r.receipt(), r.attestation(), false, refOf(r)));
    }
  }

  private void refuse(String gatewayPeer, ReceiptRejectedException e) {
    batchFaults.increment();
    batches.forgetGateway(gatewayPeer);
    if (e.reason() == ReceiptRejectedException.Reason.NEVER_BATCHED) {
      if (suspendedUntil.size() < MAX_REFUSED_PEERS) {
        suspendedUntil.put(gatewayPeer, batches.clock().millis() + UNBATCHED_SUSPENSION_MS);
      }
      log.warn("gateway {} sent no receipt batch in time; refusing it for {} s: {}", gatewayPeer,
          UNBATCHED_SUSPENSION_MS / 1000, e.getMessage());
      return;
    }
    if (refusedPeers.size() < MAX_REFUSED_PEERS) {
      refusedPeers.add(gatewayPeer);
    }
    log.warn("gateway {} broke the receipt batch rules; refusing it: {}", gatewayPeer, e.getMessage());
  }

  private void checkSuspension(String gatewayPeer) {
    Long until = suspendedUntil.get(gatewayPeer);
    if (until == null) {
      return;
    }
    if (batches.clock().millis() < until) {
      throw new PaymentRejectedException("this gateway sent no receipt batch for receipts it was served for; not"
          + " serving it until " + java.time.Instant.ofEpochMilli(until));
    }
    suspendedUntil.remove(gatewayPeer, until);
  }

  private void storeUnchecked(PaymentReceipt receipt, ResponseAttestation attestation) {
    storedUnchecked.increment();
    store.append(receipt, attestation).whenComplete((v, e) -> logStoreFailure(receipt, e));
  }

  private void logStoreFailure(PaymentReceipt receipt, Throwable e) {
    if (e != null) {
      storeFailures.increment();
      log.error("receipt {} could not be stored", receipt.id(), e);
    }
  }
}
