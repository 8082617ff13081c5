package io.disjoint.staking.voucher;

import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.BatchMembership;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.Signatures;
import io.disjoint.staking.store.EpochPayerTotals;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoredReceipt;
import io.disjoint.staking.voucher.VoucherRejectedException.Reason;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Node side of the voucher protocol: decides when a payer's unvouchered value calls for a
 * voucher, builds the request from the store, and checks and records the gateway's answer.
 *
 * <p>Only receipts older than {@code settleLag} go into a batch: the verifier refuses receipts
 * outside its timestamp window, so once the lag exceeds that window no receipt with an older
 * timestamp can still arrive, and none is stranded behind a voucher's "after" timestamp.
 */
public final class VoucherCollector {
  private final ReceiptStore store;
  private final Bytes self;
  private final BigInteger threshold;
  private final Duration settleLag;
  private final Clock clock;
  /**
   * Receipts found with a bad signature after a gateway refused a batch for one: left out of
   * later requests (the serving node checks only a sample of signatures on the relay path).
   */
  private final Set<Bytes32> forged = ConcurrentHashMap.newKeySet();
  static final int MAX_FORGED_REMEMBERED = 100_000;

  /** A request on its way to the gateway, with what it covers. */
  public record PendingVoucher(Account payer, Optional<Voucher> previous,
      List<StoredReceipt> receipts, byte[] request) {}

  public VoucherCollector(ReceiptStore store, Bytes selfNodeId, BigInteger threshold,
      Duration settleLag, Clock clock) {
    this.store = store;
    this.self = selfNodeId;
    this.threshold = threshold;
    this.settleLag = settleLag;
    this.clock = clock;
  }

  public Optional<Voucher> latest(Account payer) {
    return store.latestVoucher(payer).map(e -> Voucher.decode(e.getValue()));
  }

  /** Payers whose value not yet covered by a voucher reached the threshold, in account order. */
  public List<Account> payersDue() {
    java.util.TreeSet<Account> due = new java.util.TreeSet<>();
    for (EpochPayerTotals row : store.summary()) {
      if (store.unvoucheredValue(row.payer()).compareTo(threshold) >= 0) {
        due.add(row.payer());
      }
    }
    return List.copyOf(due);
  }

  /** The request to send for {@code payer}, if its unvouchered value reached the threshold. */
  public Optional<PendingVoucher> prepare(Account payer) {
    if (store.unvoucheredValue(payer).compareTo(threshold) < 0) {
      return Optional.empty();
    }
    Optional<Voucher> previous = latest(payer);
    long after = previous.map(Voucher::lastTimestampMs).orElse(-1L);
    long upTo = clock.millis() - settleLag.toMillis();
    Optional<Bytes> signer = previous.map(Voucher::signerKey);
    List<StoredReceipt> batch = new ArrayList<>();
    for (EpochPayerTotals row : store.summary()) {
      if (!row.payer().equals(payer) || row.voucheredCount() == row.receiptCount()) {
        continue;
      }
      for (StoredReceipt s : store.receipts(row.epoch(), payer, after, VoucherMessages.MAX_BATCH)) {
        PaymentReceipt r = s.receipt();
        if (r.timestampMs() > upTo || batch.size() == VoucherMessages.MAX_BATCH) {
          break;
        }
        if (signer.isEmpty()) {
          signer = Optional.of(r.signerKey());
        }
        if (r.signerKey().equals(signer.get()) && !forged.contains(s.id())
            && (r.isSigned() || store.membership(s).isPresent())) {
          batch.add(s);
        }
      }
    }
    if (batch.isEmpty()) {
      return Optional.empty();
    }
    byte[] request = new VoucherMessages.Request(previous,
        batch.stream().map(StoredReceipt::receipt).toList(),
        batch.stream().map(store::membership).toList()).encode();
    return Optional.of(new PendingVoucher(payer, previous, List.copyOf(batch), request));
  }

  /** Receipts known to carry a bad signature, which {@link #prepare} leaves out. */
  public int forgedReceipts() {
    return forged.size();
  }

  /**
   * After a BAD_SIGNATURE refusal: verifies the batch here (off the relay path) and remembers the
   * receipts that fail, so the next request is not refused for the same receipt forever.
   */
  private int leaveOutForged(PendingVoucher pending) {
    int found = 0;
    for (StoredReceipt s : pending.receipts()) {
      PaymentReceipt r = s.receipt();
      if (!BatchMembership.receiptAuthentic(r, store.membership(s))) {
        found++;
        if (forged.size() < MAX_FORGED_REMEMBERED) {
          forged.add(s.id());
        }
      }
    }
    return found;
  }

  /** Checks the gateway's response against what was sent and records the voucher durably. */
  public Voucher accept(PendingVoucher pending, byte[] responseBytes) {
    VoucherMessages.Response response;
    try {
      response = VoucherMessages.Response.decode(responseBytes);
    } catch (RuntimeException e) {
      throw new VoucherRejectedException(Reason.MALFORMED, "gateway response: " + e.getMessage());
    }
    if (response.voucher().isEmpty()) {
      Reason reason = response.reason().orElseThrow();
      String leftOut = reason == Reason.BAD_SIGNATURE ? "; " + leaveOutForged(pending)
          + " receipt(s) of the batch do not verify and are left out of later requests" : "";
      throw new VoucherRejectedException(reason, "gateway refused: " + response.message() + leftOut);
    }
    Voucher v = response.voucher().get();
    List<PaymentReceipt> sent = pending.receipts().stream().map(StoredReceipt::receipt).toList();
    VoucherBatch batch = VoucherBatch.of(sent);
    PaymentReceipt first = sent.get(0);
    if (!v.signerKey().equals(first.signerKey())
        || !Signatures.verify(v.signerKey(), v.signingBytes(), v.signature())) {
      throw new VoucherRejectedException(Reason.BAD_SIGNATURE, "voucher not signed by the receipts' signer");
    }
    if (!v.payer().equals(pending.payer()) || !v.nodeId().equals(self)
        || !v.domain().equals(first.domain())) {
      throw new VoucherRejectedException(Reason.WRONG_PAYER, "voucher for another payer, node or domain");
    }
    long expectedSeq = pending.previous().map(p -> p.sequence() + 1).orElse(1L);
    Bytes32 expectedPrev = pending.previous().map(Voucher::id).orElse(Bytes32.ZERO);
    BigInteger before = pending.previous().map(Voucher::valueTotal).orElse(BigInteger.ZERO);
    if (v.sequence() != expectedSeq || !v.previousId().equals(expectedPrev)) {
      throw new VoucherRejectedException(Reason.PREVIOUS_INVALID, "voucher does not extend ours");
    }
    if (v.batchCount() != sent.size() || !v.batchRoot().equals(batch.root().hash())
        || v.batchComputeUnits() != batch.root().sum() || !v.batchValue().equals(batch.value())
        || v.lastTimestampMs() != batch.lastTimestampMs()) {
      throw new VoucherRejectedException(Reason.TOTAL_MISMATCH, "voucher batch differs from the receipts sent");
    }
    if (!v.valueTotal().equals(before.add(batch.value()))) {
      throw new VoucherRejectedException(Reason.TOTAL_MISMATCH, "voucher total " + v.valueTotal()
          + " is not the previous total " + before + " plus the batch " + batch.value());
    }
    store.recordVoucher(pending.payer(), v.sequence(), v.encode(), pending.receipts()).join();
    return v;
  }
}
