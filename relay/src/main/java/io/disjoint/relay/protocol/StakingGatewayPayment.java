package io.disjoint.relay.protocol;

import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptBatchMessage;
import io.disjoint.staking.receipt.ReceiptBatcher;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.ResponseAttestation;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway-side payment with the staking module's receipts: each relay request carries a receipt
 * signed by the gateway's node key, naming the serving peer, the chain, SHA-256 of the exact
 * payload sent, the method's compute units and their price.
 *
 * <p>Signed attestations are asked for where they are used: on every call that may become
 * evidence (quorum reads) and on a random audit share of the others (one in {@code auditOneIn}).
 * An attestation that comes back is checked against its receipt (same receipt, chain, request,
 * signed by the serving node); one that fails is counted and logged: that node answered with a
 * statement it did not sign correctly.
 */
public final class StakingGatewayPayment implements GatewayPayment {
  private static final Logger log = LoggerFactory.getLogger(StakingGatewayPayment.class);
  /** Default audit share: one signed attestation in this many ordinary (non-evidence) relays. */
  public static final int DEFAULT_AUDIT_ONE_IN = 64;
  /** The chain field of a batch-only request (ignored by the node; must be 1..64 bytes). */
  public static final String BATCH_ONLY_CHAIN = "receipt-batch";
  private static final long BATCH_ONLY_DEADLINE_MS = 5_000;
  private static final byte[] NO_BATCH = new byte[0];

  private final ReceiptSigner signer;
  private final BigInteger weiPerComputeUnit;
  private final int auditOneIn;
  private final Random random;
  /** Null when every receipt is signed on its own (batching off). */
  private final ReceiptBatcher batcher;
  /** Peers that refused an unsigned receipt (older or synced nodes): they get signed receipts. */
  private final Set<io.disjoint.p2p.crypto.PeerId> signedOnly = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer;
  private final ConcurrentLinkedQueue<Retry> resend = new ConcurrentLinkedQueue<>();
  /** Sends of one batch at most (a node that stays unreachable refuses this gateway anyway). */
  private static final int MAX_BATCH_SENDS = 3;

  /** Ticks a batch may wait for its peer to answer a batched receipt before it is dropped (~1 s). */
  private static final int MAX_WAIT_TICKS = 50;
  /**
   * Peers that answered OK to a batched receipt: they take batches. Batch-only requests go only to
   * these (an older node would reset the stream on one); until then a batch waits for the peer's
   * first answer (it usually arrives within the same millisecond).
   */
  private final Set<io.disjoint.p2p.crypto.PeerId> takesBatches = ConcurrentHashMap.newKeySet();

  private record Retry(ReceiptBatcher.Unsent batch, int sends, int waited) {}
  private volatile RelayTransport transport;
  private final LongAdder batchesSent = new LongAdder();
  private final LongAdder batchesFlushed = new LongAdder();
  private final LongAdder batchFlushFailures = new LongAdder();
  private final LongAdder attestationsChecked = new LongAdder();
  private final LongAdder badAttestations = new LongAdder();

  /** Asks for a signed attestation on every relay. */
  public StakingGatewayPayment(ReceiptSigner signer, BigInteger weiPerComputeUnit) {
    this(signer, weiPerComputeUnit, 1, new Random(0));
  }

  /**
   * @param auditOneIn ask for a signed attestation on one ordinary relay in this many (1 = all)
   * @param random draws the audits (unpredictable to nodes in production: a SecureRandom)
   */
  public StakingGatewayPayment(ReceiptSigner signer, BigInteger weiPerComputeUnit, int auditOneIn, Random random) {
    if (weiPerComputeUnit.signum() < 0) {
      throw new IllegalArgumentException("weiPerComputeUnit must be >= 0");
    }
    if (auditOneIn < 1) {
      throw new IllegalArgumentException("attestation audit share (one in N) must be N >= 1: " + auditOneIn);
    }
    this.signer = signer;
    this.weiPerComputeUnit = weiPerComputeUnit;
    this.auditOneIn = auditOneIn;
    this.random = Objects.requireNonNull(random, "random");
    this.batcher = null;
    this.timer = null;
  }

  /**
   * Batched receipt signatures: receipts go out unsigned and {@code batcher} signs one batch per
   * serving peer every {@link ReceiptBatcher} limit (256 receipts or 20 ms by default). Batches
   * ride on the next request to their peer; {@code timer} runs the flush every batch age and sends
   * the batches no request carried as batch-only requests (once {@link #useTransport} was called).
   * A peer that refuses an unsigned receipt gets signed receipts from then on.
   */
  public StakingGatewayPayment(ReceiptBatcher batcher, BigInteger weiPerComputeUnit, int auditOneIn, Random random,
      ScheduledExecutorService timer) {
    if (weiPerComputeUnit.signum() < 0) {
      throw new IllegalArgumentException("weiPerComputeUnit must be >= 0");
    }
    if (auditOneIn < 1) {
      throw new IllegalArgumentException("attestation audit share (one in N) must be N >= 1: " + auditOneIn);
    }
    this.batcher = Objects.requireNonNull(batcher, "batcher");
    this.signer = batcher.signer();
    this.weiPerComputeUnit = weiPerComputeUnit;
    this.auditOneIn = auditOneIn;
    this.random = Objects.requireNonNull(random, "random");
    this.timer = Objects.requireNonNull(timer, "timer");
  }

  /** Whether receipts are batched (else each carries its own signature). */
  public boolean batching() {
    return batcher != null;
  }

  @Override
  public byte[] receiptFor(String servingPeer, String chain, byte[] payload, int computeUnits) {
    byte[] hash = Sha256.hash(payload).toArray();
    BigInteger value = weiPerComputeUnit.multiply(BigInteger.valueOf(computeUnits));
    if (batcher != null && !signedOnly.contains(PeerIds.parse(servingPeer))) {
      return batcher.issue(PeerIds.parse(servingPeer), chain, hash, computeUnits, value).encode();
    }
    return ReceiptSigner.encode(signer.issue(PeerIds.parse(servingPeer), chain, hash, computeUnits, value));
  }

  @Override
  public byte[] receiptBatchFor(String servingPeer) {
    if (batcher == null || signedOnly.contains(PeerIds.parse(servingPeer))) {
      return NO_BATCH;
    }
    return batcher.takeSealed(PeerIds.parse(servingPeer)).map(m -> {
      batchesSent.increment();
      return m.encode();
    }).orElse(NO_BATCH);
  }

  @Override
  public void receiptBatchNotDelivered(String servingPeer, byte[] receiptBatch) {
    if (batcher != null) {
      resend.add(new Retry(new ReceiptBatcher.Unsent(PeerIds.parse(servingPeer), ReceiptBatchMessage.decode(receiptBatch)), 1, 0));
    }
  }

  @Override
  public void onReceiptAccepted(String servingPeer, byte[] receipt) {
    if (batcher == null) {
      return;
    }
    io.disjoint.p2p.crypto.PeerId peer = PeerIds.parse(servingPeer);
    if (!takesBatches.contains(peer) && !signedOnly.contains(peer)) {
      takesBatches.add(peer);
    }
  }

  @Override
  public void onReceiptRejected(String servingPeer, byte[] receipt, String message) {
    // An older node reads the empty signature as malformed; a node without batching says so.
    if (batcher != null && receipt.length > 0 && receipt[receipt.length - 1] == 0
        && (message.contains("unsigned receipt") || message.contains("signature: length 0"))
        && signedOnly.add(PeerIds.parse(servingPeer))) {
      batcher.forget(PeerIds.parse(servingPeer));
      log.info("serving peer {} does not take batched receipts; signing each receipt for it", servingPeer);
    }
  }

  @Override
  public synchronized void useTransport(RelayTransport t) {
    if (batcher == null || transport != null) {
      transport = t;
      return;
    }
    transport = t;
    long every = batcher.maxAge().toMillis();
    timer.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Seals aged batches and sends, as batch-only requests, the sealed batches no request carried
   * (a peer that gets no more requests must still get its batch within its timeout).
   */
  public void flush() {
    RelayTransport t = transport;
    if (batcher == null || t == null) {
      return;
    }
    try {
      List<Retry> due = new ArrayList<>();
      for (ReceiptBatcher.Unsent u : batcher.tick()) {
        if (!signedOnly.contains(u.node())) {
          due.add(new Retry(u, 0, 0));
        }
      }
      Retry again;
      while ((again = resend.poll()) != null) {
        due.add(again);
      }
      for (Retry r : due) {
        if (signedOnly.contains(r.batch().node())) {
          continue;
        }
        if (takesBatches.contains(r.batch().node())) {
          send(t, r);
        } else if (r.waited() < MAX_WAIT_TICKS) {
          resend.add(new Retry(r.batch(), r.sends(), r.waited() + 1));
        }
      }
    } catch (RuntimeException e) {
      log.error("bug while flushing receipt batches", e);
    }
  }

  private void send(RelayTransport t, Retry retry) {
    ReceiptBatcher.Unsent u = retry.batch();
    String peer = u.node().toString();
    byte[] bytes = u.batch().encode();
    RelayRequest request = RelayRequest.batchOnly(BATCH_ONLY_CHAIN,
        System.currentTimeMillis() + BATCH_ONLY_DEADLINE_MS, bytes);
    batchesFlushed.increment();
    CompletableFuture<RelayResponse> sent;
    try {
      sent = t.send(peer, request);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((r, e) -> {
      if (e != null || r.status() != RelayStatus.BATCH_ACCEPTED) {
        batchFlushFailures.increment();
        log.debug("receipt batch to {} not delivered: {}", peer, e != null ? e.toString() : r.status());
        if (e != null && retry.sends() + 1 < MAX_BATCH_SENDS && resendable(e)) {
          resend.add(new Retry(u, retry.sends() + 1, retry.waited()));
        }
      }
    });
  }

  /** A batch is sent again after a transport failure, but not after a timeout (it may have arrived). */
  private static boolean resendable(Throwable e) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    return !(cause instanceof RelayTransportException t) || t.kind() != RelayTransportException.Kind.TIMEOUT;
  }

  /** Batches sent on requests, batches sent on their own, and those of the latter that failed. */
  public long batchesSent() {
    return batchesSent.sum();
  }

  public long batchesFlushed() {
    return batchesFlushed.sum();
  }

  public long batchFlushFailures() {
    return batchFlushFailures.sum();
  }

  @Override
  public boolean wantsSignedAttestation(boolean evidence) {
    return evidence || auditOneIn == 1 || random.nextInt(auditOneIn) == 0;
  }

  @Override
  public void onAttestation(String servingPeer, byte[] receipt, byte[] attestation) {
    attestationsChecked.increment();
    try {
      PaymentReceipt r = ReceiptVerifier.decodeMaybeBatched(receipt);
      ReceiptVerifier.checkAttestation(r, ResponseAttestation.decode(attestation));
    } catch (RuntimeException e) {
      badAttestations.increment();
      log.warn("serving peer {} returned an attestation that does not check: {}", servingPeer, e.getMessage());
    }
  }

  /** Attestations received and checked so far. */
  public long attestationsChecked() {
    return attestationsChecked.sum();
  }

  /** Attestations that failed their check (wrong receipt, signer or signature). */
  public long badAttestations() {
    return badAttestations.sum();
  }
}
