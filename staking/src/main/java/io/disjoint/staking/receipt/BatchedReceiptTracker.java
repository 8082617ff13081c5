package io.disjoint.staking.receipt;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.staking.receipt.ReceiptRejectedException.Reason;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Serving-node side of batched receipt signatures: unsigned receipts that passed the inline
 * policy checks wait here, with their attestation once answered, until the gateway's signed
 * {@link ReceiptBatch} lists them. A receipt is ready to store once it is both answered and
 * batched; then it is stored with its batch id and leaf index.
 *
 * <p>Every listed id must have been admitted from the gateway that sent the batch. An id not
 * seen yet makes the batch wait up to {@code timeout} (requests on another stream of the same
 * gateway may arrive after the batch); after that the batch is applied to the ids that were seen
 * and the others are skipped and counted ({@link #unknownBatchedIds}: a request lost with its
 * stream, which the node cannot be paid for anyway). Faults (each names the gateway at fault;
 * the caller refuses that gateway from then on): a batch not signed by the gateway that sent it,
 * or not for this node and domain, or with a bad signature ({@link #checkBatch}); a batch listing
 * a receipt admitted from another gateway or already batched; and a receipt not batched within
 * {@code timeout} of its admission. A batch accepted before is refused as a replay (nothing
 * changes). Unbatched value counts against the payer's
 * risk limit ({@link #pendingValue}), so what the node can lose to a gateway that never sends
 * batches stays within that limit.
 *
 * <p>Thread-safe (one lock; every operation is a few map updates).
 */
public final class BatchedReceiptTracker {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  /** Admitted receipts never answered (upstream failures) are forgotten after this long. */
  private static final long FORGET_UNANSWERED_MS = 60_000;
  private static final int REMEMBERED_BATCHES = 4096;

  private final NetworkDomain domain;
  private final Bytes self;
  private final Clock clock;
  private final long timeoutMs;
  private final Map<Bytes32, Entry> entries = new HashMap<>();
  private final Map<Account, BigInteger> pendingByPayer = new HashMap<>();
  private final List<Waiting> waiting = new ArrayList<>();
  private final LinkedHashSet<Bytes32> acceptedBatches = new LinkedHashSet<>();
  private long unknownIds;

  /** A batched receipt ready to store: answered, and listed at {@code leafIndex} of {@code batch}. */
  public record Ready(PaymentReceipt receipt, ResponseAttestation attestation, ReceiptBatchMessage batch,
      long batchEpoch, int leafIndex) {}

  /** A gateway that broke the batching rules, and why. */
  public record Fault(String gateway, ReceiptRejectedException error) {}

  /** What a batch or a sweep produced: receipts to store (batches first), and faults. */
  public record Outcome(List<ReceiptBatchMessage> newBatches, List<Ready> ready, List<Fault> faults) {
    static final Outcome NOTHING = new Outcome(List.of(), List.of(), List.of());
  }

  private static final class Entry {
    final String gateway;
    final PaymentReceipt receipt;
    final long admittedMs;
    final boolean refused;
    ResponseAttestation attestation;
    ReceiptBatchMessage batch;
    long batchEpoch;
    int leafIndex;

    Entry(String gateway, PaymentReceipt receipt, long admittedMs, boolean refused) {
      this.gateway = gateway;
      this.receipt = receipt;
      this.admittedMs = admittedMs;
      this.refused = refused;
    }
  }

  private record Waiting(String gateway, ReceiptBatchMessage batch, Bytes32 id, long arrivedMs, long keyEpoch) {}

  public BatchedReceiptTracker(NetworkDomain domain, PeerId self, Clock clock, Duration timeout) {
    this.domain = domain;
    this.self = Bytes.wrap(self.bytes());
    this.clock = clock;
    this.timeoutMs = timeout.toMillis();
  }

  /** An unsigned receipt from {@code gateway} passed the policy checks and is being served. */
  public synchronized void admitted(String gateway, PaymentReceipt receipt, Bytes32 id) {
    entries.put(id, new Entry(gateway, receipt, clock.millis(), false));
    pendingByPayer.merge(receipt.payer(), receipt.value(), BigInteger::add);
  }

  /**
   * An unsigned receipt from {@code gateway} was refused by a policy check (over the risk limit,
   * stale, ...): its batch will still list it, and must not wait for it.
   */
  public synchronized void refused(String gateway, PaymentReceipt receipt, Bytes32 id) {
    entries.putIfAbsent(id, new Entry(gateway, receipt, clock.millis(), true));
  }

  /** The receipt was answered; returns it ready to store if its batch is already here. */
  public synchronized Optional<Ready> answered(Bytes32 id, ResponseAttestation attestation) {
    Entry e = entries.get(id);
    if (e == null || e.refused) {
      return Optional.empty();
    }
    e.attestation = attestation;
    if (e.batch == null) {
      return Optional.empty();
    }
    remove(id, e);
    return Optional.of(ready(e));
  }

  /**
   * Checks what does not need this tracker's state: the batch is for this domain and node, signed
   * by the key of the gateway that sent it, and the signature verifies (~50 us: call it off the
   * event loop).
   */
  public void checkBatch(PeerId gateway, ReceiptBatchMessage m) {
    ReceiptBatch b = m.batch();
    if (!b.domain().equals(domain)) {
      throw new ReceiptRejectedException(Reason.WRONG_DOMAIN, "receipt batch is for " + b.domain());
    }
    if (!b.nodeId().equals(self)) {
      throw new ReceiptRejectedException(Reason.WRONG_NODE, "receipt batch names another node");
    }
    Optional<PubKey> key = Signatures.parseKey(b.signerKey());
    if (key.isEmpty() || !key.get().peerId().equals(gateway)) {
      throw new ReceiptRejectedException(Reason.SIGNER_NOT_SENDER,
          "receipt batch is signed by another key than that of the gateway " + gateway + " that sent it");
    }
    if (!BatchMembership.batchSignatureValid(b)) {
      throw new ReceiptRejectedException(Reason.BAD_SIGNATURE,
          "receipt batch " + b.id() + " signature does not verify under its signer key");
    }
  }

  /**
   * A batch from {@code gateway} that passed {@link #checkBatch}: marks its receipts batched and
   * returns those already answered. Ids not admitted yet make the batch wait (see class doc).
   *
   * @throws ReceiptRejectedException BATCH_REPLAY for a batch accepted before (harmless: ignore
   *     it), BATCH_UNKNOWN_RECEIPT for a receipt admitted from another gateway or already batched
   */
  public synchronized Outcome onBatch(String gateway, ReceiptBatchMessage m) {
    return onBatch(gateway, m, -1);
  }

  /**
   * As {@link #onBatch(String, ReceiptBatchMessage)}, with the epoch under which the caller
   * recorded the batch in the store ({@code -1}: the newest epoch of its receipts).
   */
  public synchronized Outcome onBatch(String gateway, ReceiptBatchMessage m, long keyEpoch) {
    Bytes32 id = m.batch().id();
    if (acceptedBatches.contains(id) || waiting.stream().anyMatch(w -> w.id().equals(id))) {
      throw new ReceiptRejectedException(Reason.BATCH_REPLAY, "receipt batch " + id + " was already received");
    }
    if (!resolvable(gateway, m)) {
      waiting.add(new Waiting(gateway, m, id, clock.millis(), keyEpoch));
      return Outcome.NOTHING;
    }
    return new Outcome(List.of(m), apply(m, id, keyEpoch), List.of());
  }

  /** True when every id is admitted; throws when one can never be (another gateway's, or batched). */
  private boolean resolvable(String gateway, ReceiptBatchMessage m) {
    boolean all = true;
    for (Bytes32 rid : m.receiptIds()) {
      Entry e = entries.get(rid);
      if (e == null) {
        all = false;
      } else if (!e.gateway.equals(gateway) || !m.batch().covers(e.receipt)) {
        throw new ReceiptRejectedException(Reason.BATCH_UNKNOWN_RECEIPT,
            "receipt batch lists receipt " + rid + " that another gateway sent");
      } else if (e.batch != null) {
        throw new ReceiptRejectedException(Reason.BATCH_UNKNOWN_RECEIPT,
            "receipt batch lists receipt " + rid + " that an earlier batch already listed");
      }
    }
    return all;
  }

  private List<Ready> apply(ReceiptBatchMessage m, Bytes32 id, long keyEpoch) {
    acceptedBatches.add(id);
    if (acceptedBatches.size() > REMEMBERED_BATCHES) {
      Iterator<Bytes32> it = acceptedBatches.iterator();
      it.next();
      it.remove();
    }
    long epoch = Math.max(0, keyEpoch);
    for (Bytes32 rid : m.receiptIds()) {
      Entry e = entries.get(rid);
      if (keyEpoch < 0 && e != null && !e.refused) {
        epoch = Math.max(epoch, e.receipt.epoch());
      }
    }
    List<Ready> ready = new ArrayList<>();
    List<Bytes32> ids = m.receiptIds();
    for (int i = 0; i < ids.size(); i++) {
      Entry e = entries.get(ids.get(i));
      if (e == null) {
        continue;
      }
      if (e.refused) {
        entries.remove(ids.get(i));
        continue;
      }
      e.batch = m;
      e.batchEpoch = epoch;
      e.leafIndex = i;
      if (e.attestation != null) {
        remove(ids.get(i), e);
        ready.add(ready(e));
      }
    }
    return ready;
  }

  /**
   * Retries waiting batches and reports what timed out: a receipt admitted {@code timeout} ago
   * and still unbatched, a batch still listing unknown receipts after {@code timeout}. Call it
   * every ~100 ms.
   */
  public synchronized Outcome sweep() {
    long now = clock.millis();
    List<ReceiptBatchMessage> batches = new ArrayList<>();
    List<Ready> ready = new ArrayList<>();
    List<Fault> faults = new ArrayList<>();
    for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      try {
        if (resolvable(w.gateway(), w.batch())) {
          it.remove();
          batches.add(w.batch());
          ready.addAll(apply(w.batch(), w.id(), w.keyEpoch()));
        } else if (w.arrivedMs() <= now - timeoutMs) {
          // The rest never arrived (a request lost with its stream, or never sent): accept the
          // batch for the receipts this node did see; the others cannot be paid for here anyway.
          it.remove();
          int unknown = (int) w.batch().receiptIds().stream().filter(rid -> !entries.containsKey(rid)).count();
          unknownIds += unknown;
          batches.add(w.batch());
          ready.addAll(apply(w.batch(), w.id(), w.keyEpoch()));
        }
      } catch (ReceiptRejectedException e) {
        it.remove();
        faults.add(new Fault(w.gateway(), e));
      }
    }
    for (Iterator<Map.Entry<Bytes32, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Bytes32, Entry> me = it.next();
      Entry e = me.getValue();
      if (e.refused) {
        if (e.admittedMs <= now - timeoutMs) {
          it.remove();
        }
      } else if (e.batch == null && e.admittedMs <= now - timeoutMs) {
        it.remove();
        unpend(e);
        faults.add(new Fault(e.gateway, new ReceiptRejectedException(Reason.NEVER_BATCHED, "receipt "
            + me.getKey() + " was not covered by a signed receipt batch within " + timeoutMs + " ms")));
      } else if (e.batch != null && e.attestation == null && e.admittedMs <= now - FORGET_UNANSWERED_MS) {
        it.remove();
        unpend(e);
      }
    }
    return batches.isEmpty() && ready.isEmpty() && faults.isEmpty() ? Outcome.NOTHING
        : new Outcome(batches, ready, faults);
  }

  /** Drops every waiting receipt of a refused gateway (they will never be paid). */
  public synchronized void forgetGateway(String gateway) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.gateway.equals(gateway)) {
        it.remove();
        unpend(e);
      }
    }
    waiting.removeIf(w -> w.gateway().equals(gateway));
  }

  /** The clock timeouts are measured on (callers time their own suspensions with it). */
  public Clock clock() {
    return clock;
  }

  /** Value of the payer's receipts admitted unsigned and not yet stored (risk limit). */
  public synchronized BigInteger pendingValue(Account payer) {
    return pendingByPayer.getOrDefault(payer, BigInteger.ZERO);
  }

  /** Ids listed in batches that this node never saw from their gateway (skipped, not stored). */
  public synchronized long unknownBatchedIds() {
    return unknownIds;
  }

  /** Receipts waiting (for a batch, an answer or both). */
  public synchronized int waitingReceipts() {
    return entries.size();
  }

  private void remove(Bytes32 id, Entry e) {
    entries.remove(id);
    unpend(e);
  }

  private void unpend(Entry e) {
    if (e.refused) {
      return;
    }
    pendingByPayer.computeIfPresent(e.receipt.payer(), (p, v) -> {
      BigInteger left = v.subtract(e.receipt.value());
      return left.signum() <= 0 ? null : left;
    });
  }

  private static Ready ready(Entry e) {
    return new Ready(e.receipt, e.attestation, e.batch, e.batchEpoch, e.leafIndex);
  }
}
