package io.disjoint.staking.receipt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.receipt.ReceiptRejectedException.Reason;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.MutableClock;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;
import org.junit.jupiter.api.Test;

/** The node's side of batched receipt signatures: matching, timeouts and every fault. */
class BatchedReceiptTrackerTest {
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final PeerId node = Fixtures.nodeKey().peerId();
  private final PrivKey gatewayKey = Fixtures.gatewayKey();
  private final String gateway = gatewayKey.peerId().toString();
  private final ReceiptBatcher batcher = new ReceiptBatcher(Fixtures.signer(clock, 3), 4, Duration.ofMillis(20), clock);
  private final BatchedReceiptTracker tracker =
      new BatchedReceiptTracker(Fixtures.DOMAIN, node, clock, BatchedReceiptTracker.DEFAULT_TIMEOUT);
  private final AttestationSigner attestations = new AttestationSigner(Fixtures.nodeKey(), Fixtures.DOMAIN);

  private PaymentReceipt issue(int i) {
    return batcher.issue(node, "eip155:1", Fixtures.hash("req-" + i), 20, BigInteger.valueOf(100));
  }

  private ResponseAttestation attestation(PaymentReceipt r) {
    return attestations.unsigned(r, Fixtures.hash("answer"), 7, Fixtures.hash("block"));
  }

  /** Issues, admits and answers {@code n} receipts; returns them. */
  private List<PaymentReceipt> serve(int n) {
    List<PaymentReceipt> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PaymentReceipt r = issue(i);
      assertTrue(!r.isSigned());
      tracker.admitted(gateway, r, r.id());
      assertTrue(tracker.answered(r.id(), attestation(r)).isEmpty(), "no batch yet");
      out.add(r);
    }
    return out;
  }

  @Test
  void aFullBatchMakesItsAnsweredReceiptsReadyWithTheirLeafIndex() {
    List<PaymentReceipt> served = serve(4);
    ReceiptBatchMessage m = batcher.takeSealed(node).orElseThrow();
    assertEquals(400, tracker.pendingValue(Fixtures.PAYER).intValue(), "unbatched value counts against the risk limit");
    tracker.checkBatch(gatewayKey.peerId(), m);
    BatchedReceiptTracker.Outcome out = tracker.onBatch(gateway, m);
    assertEquals(List.of(m), out.newBatches());
    assertEquals(4, out.ready().size());
    for (int i = 0; i < 4; i++) {
      assertEquals(served.get(i), out.ready().get(i).receipt());
      assertEquals(i, out.ready().get(i).leafIndex());
      assertTrue(new BatchMembership(m.batch(), m.path(i)).authenticates(served.get(i)));
    }
    assertEquals(BigInteger.ZERO, tracker.pendingValue(Fixtures.PAYER));
    assertEquals(0, tracker.waitingReceipts());
  }

  @Test
  void aReceiptAnsweredAfterItsBatchIsReadyAtOnce() {
    PaymentReceipt r = issue(1);
    tracker.admitted(gateway, r, r.id());
    clock.advance(20);
    batcher.tick();
    ReceiptBatchMessage m = batcher.takeSealed(node).orElseThrow();
    assertEquals(1, m.batch().count(), "sealed by age");
    assertTrue(tracker.onBatch(gateway, m).ready().isEmpty(), "not answered yet");
    BatchedReceiptTracker.Ready ready = tracker.answered(r.id(), attestation(r)).orElseThrow();
    assertEquals(m, ready.batch());
  }

  @Test
  void aForgedBatchSignatureIsRefused() {
    serve(4);
    ReceiptBatchMessage m = batcher.takeSealed(node).orElseThrow();
    byte[] sig = m.batch().signature().toArray();
    sig[5] ^= 1;
    ReceiptBatchMessage forged = new ReceiptBatchMessage(m.batch().withSignature(Bytes.wrap(sig)), m.receiptIds());
    ReceiptRejectedException e = assertThrows(ReceiptRejectedException.class,
        () -> tracker.checkBatch(gatewayKey.peerId(), forged));
    assertEquals(Reason.BAD_SIGNATURE, e.reason());
    tracker.checkBatch(gatewayKey.peerId(), m);
  }

  @Test
  void aBatchFromAnotherGatewayIsRefused() {
    serve(4);
    ReceiptBatchMessage m = batcher.takeSealed(node).orElseThrow();
    PeerId other = Fixtures.key("gateway-2").peerId();
    assertEquals(Reason.SIGNER_NOT_SENDER, assertThrows(ReceiptRejectedException.class,
        () -> tracker.checkBatch(other, m)).reason(), "a batch signed by gateway-1 arriving from gateway-2");
    assertEquals(Reason.BATCH_UNKNOWN_RECEIPT, assertThrows(ReceiptRejectedException.class,
        () -> tracker.onBatch(other.toString(), m)).reason(), "its receipts were admitted from gateway-1");
  }

  @Test
  void aBatchListingAReceiptNeverAdmittedWaitsThenStoresOnlyTheAdmittedOnes() {
    List<PaymentReceipt> served = serve(3);
    PaymentReceipt neverSent = issue(99);
    ReceiptBatchMessage m = batcher.takeSealed(node).orElseThrow();
    assertTrue(m.receiptIds().contains(neverSent.id()));
    assertEquals(BatchedReceiptTracker.Outcome.NOTHING.ready(), tracker.onBatch(gateway, m).ready(),
        "waits: the request may still be on another stream");
    clock.advance(500);
    assertTrue(tracker.sweep().ready().isEmpty(), "still waiting");
    clock.advance(500);
    BatchedReceiptTracker.Outcome out = tracker.sweep();
    assertEquals(List.of(m), out.newBatches());
    assertEquals(served, out.ready().stream().map(BatchedReceiptTracker.Ready::receipt).toList(),
        "the admitted receipts are stored, the unknown id is not");
    assertTrue(out.faults().isEmpty(), out.faults().toString());
    assertEquals(1, tracker.unknownBatchedIds());
    assertEquals(Reason.BATCH_REPLAY, assertThrows(ReceiptRejectedException.class,
        () -> tracker.onBatch(gateway, m)).reason());
  }

  @Test
  void aLateRequestResolvesAWaitingBatchOnTheNextSweep() {
    List<PaymentReceipt> served = serve(3);
    PaymentReceipt late = issue(3);
    ReceiptBatchMessage m = batcher.takeSealed(node).orElseThrow();
    tracker.onBatch(gateway, m);
    tracker.admitted(gateway, late, late.id());
    tracker.answered(late.id(), attestation(late));
    clock.advance(50);
    BatchedReceiptTracker.Outcome out = tracker.sweep();
    assertEquals(List.of(m), out.newBatches());
    assertEquals(served.size() + 1, out.ready().size());
    assertTrue(out.faults().isEmpty());
  }

  @Test
  void aReceiptNeverBatchedFaultsItsGatewayAfterTheTimeout() {
    serve(2);
    clock.advance(999);
    assertTrue(tracker.sweep().faults().isEmpty());
    clock.advance(1);
    BatchedReceiptTracker.Outcome out = tracker.sweep();
    assertEquals(2, out.faults().size());
    assertTrue(out.faults().stream().allMatch(f -> f.error().reason() == Reason.NEVER_BATCHED));
    assertEquals(BigInteger.ZERO, tracker.pendingValue(Fixtures.PAYER), "dropped receipts leave the exposure");
  }

  @Test
  void aReceiptRefusedAtAdmissionDoesNotHoldUpItsBatch() {
    List<PaymentReceipt> served = serve(3);
    PaymentReceipt refused = issue(3);
    tracker.refused(gateway, refused, refused.id());
    ReceiptBatchMessage m = batcher.takeSealed(node).orElseThrow();
    BatchedReceiptTracker.Outcome out = tracker.onBatch(gateway, m);
    assertEquals(served, out.ready().stream().map(BatchedReceiptTracker.Ready::receipt).toList());
    assertEquals(0, tracker.waitingReceipts());
    assertEquals(BigInteger.ZERO, tracker.pendingValue(Fixtures.PAYER));
  }

  @Test
  void aReplayedBatchIsRefusedAndChangesNothing() {
    serve(4);
    ReceiptBatchMessage m = batcher.takeSealed(node).orElseThrow();
    assertEquals(4, tracker.onBatch(gateway, m).ready().size());
    assertEquals(Reason.BATCH_REPLAY,
        assertThrows(ReceiptRejectedException.class, () -> tracker.onBatch(gateway, m)).reason());
  }

  @Test
  void aSecondBatchListingAnAlreadyBatchedReceiptIsRefused() {
    List<PaymentReceipt> served = serve(4);
    ReceiptBatchMessage m = batcher.takeSealed(node).orElseThrow();
    PaymentReceipt answeredLater = served.get(0);
    // keep receipt 0 unanswered so it stays tracked after the first batch
    BatchedReceiptTracker fresh = new BatchedReceiptTracker(Fixtures.DOMAIN, node, clock, Duration.ofSeconds(1));
    for (PaymentReceipt r : served) {
      fresh.admitted(gateway, r, r.id());
    }
    fresh.onBatch(gateway, m);
    ReceiptBatchMessage again = Fixtures.signer(clock, 3).signBatch(Bytes.wrap(node.bytes()), 2,
        List.of(answeredLater.id()));
    assertEquals(Reason.BATCH_UNKNOWN_RECEIPT,
        assertThrows(ReceiptRejectedException.class, () -> fresh.onBatch(gateway, again)).reason());
  }

  @Test
  void batcherFlushesAgedBatchesNoRequestCarried() {
    issue(1);
    assertTrue(batcher.tick().isEmpty());
    clock.advance(20);
    assertTrue(batcher.tick().isEmpty(), "sealed now, a request may still carry it");
    clock.advance(20);
    List<ReceiptBatcher.Unsent> unsent = batcher.tick();
    assertEquals(1, unsent.size());
    assertEquals(node, unsent.get(0).node());
    assertTrue(batcher.takeSealed(node).isEmpty());
    Bytes32 root = unsent.get(0).batch().batch().root();
    assertEquals(io.disjoint.staking.merkle.BatchTree.root(unsent.get(0).batch().receiptIds()), root);
  }
}
