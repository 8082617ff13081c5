package io.disjoint.staking.claim;

import static io.disjoint.staking.testing.LedgerFixtures.OPERATOR;
import static io.disjoint.staking.testing.LedgerFixtures.n;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.ledger.ClaimState;
import io.disjoint.staking.ledger.EmbeddedLedger;
import io.disjoint.staking.ledger.LedgerException;
import io.disjoint.staking.ledger.LedgerParams;
import io.disjoint.staking.merkle.BatchPath;
import io.disjoint.staking.receipt.BatchMembership;
import io.disjoint.staking.receipt.BatchedReceiptTracker;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptBatchMessage;
import io.disjoint.staking.receipt.ReceiptBatcher;
import io.disjoint.staking.store.BatchRef;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.store.StoredReceipt;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.LedgerFixtures;
import io.disjoint.staking.testing.MutableClock;
import io.disjoint.staking.voucher.Voucher;
import io.disjoint.staking.voucher.VoucherCollector;
import io.disjoint.staking.voucher.VoucherIssuer;
import io.disjoint.staking.voucher.VoucherMessages;
import io.disjoint.staking.voucher.VoucherRejectedException;
import io.disjoint.staking.voucher.VoucherService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched receipts (no signature of their own) from the tracker through a real RocksDB store to
 * a voucher and to a ledger claim proof (v2), and the wrong-path refusals on both.
 */
class BatchedReceiptSettlementTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final PeerId nodePeer = Fixtures.nodeKey().peerId();
  private final Bytes node = Bytes.wrap(nodePeer.bytes());
  private final String gateway = Fixtures.gatewayKey().peerId().toString();
  private final ReceiptBatcher batcher = new ReceiptBatcher(Fixtures.signer(clock, 11), 16, Duration.ofMillis(20), clock);
  private final EmbeddedLedger ledger = EmbeddedLedger.inMemory(LedgerFixtures.genesis(), clock);
  private final LedgerParams params = ledger.params();
  private ReceiptStore store;
  private long epoch;

  @BeforeEach
  void fill() throws Exception {
    store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS);
    ledger.authorizeSigner(Fixtures.PAYER, batcher.signer().signerKey());
    ledger.stake(OPERATOR, node, n(2000));
    BatchedReceiptTracker tracker = new BatchedReceiptTracker(Fixtures.DOMAIN, nodePeer, clock, Duration.ofSeconds(1));
    for (int i = 0; i < 60; i++) {
      clock.advance(3);
      PaymentReceipt r = batcher.issue(nodePeer, "eip155:1", Fixtures.hash("req" + i), 10 + (i % 3) * 10, n(5));
      tracker.admitted(gateway, r, r.id());
      tracker.answered(r.id(), Fixtures.attest(r)).ifPresent(x -> { throw new AssertionError("no batch yet"); });
      batcher.takeSealed(nodePeer).ifPresent(m -> store(tracker.onBatch(gateway, m)));
    }
    batcher.flushAll().forEach(u -> store(tracker.onBatch(gateway, u.batch())));
    assertEquals(0, tracker.waitingReceipts());
    epoch = Fixtures.EPOCHS.epochAt(clock.millis());
  }

  private void store(BatchedReceiptTracker.Outcome out) {
    for (ReceiptBatchMessage m : out.newBatches()) {
      long e = out.ready().stream().mapToLong(r -> r.batchEpoch()).max().orElseThrow();
      store.recordBatch(e, m);
    }
    for (BatchedReceiptTracker.Ready r : out.ready()) {
      store.appendBatched(r.receipt(), r.attestation(), new BatchRef(r.batchEpoch(), r.batch().batch().id(), r.leafIndex()))
          .join();
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void batchedReceiptsAreStoredWithTheirBatchAndRefusedWithoutOne() {
    List<StoredReceipt> all = store.receipts(epoch, Fixtures.PAYER, -1, 1000);
    assertEquals(60, all.size());
    for (StoredReceipt s : all) {
      assertFalse(s.receipt().isSigned());
      BatchMembership m = store.membership(s).orElseThrow();
      assertTrue(m.authenticates(s.receipt()));
    }
    PaymentReceipt unsigned = batcher.signer().issueUnsigned(nodePeer, "eip155:1", Fixtures.hash("x"), 1, n(1));
    assertThrows(Exception.class, () -> store.append(unsigned, Fixtures.attest(unsigned)).join(),
        "an unsigned receipt never enters the store without its batch");
  }

  @Test
  void theGatewayVouchesForBatchedReceiptsOnTheBatchSignatureAndRefusesAWrongPath() {
    VoucherIssuer issuer = new VoucherIssuer(Fixtures.gatewayKey(), Fixtures.DOMAIN, Fixtures.PAYER, clock,
        Duration.ofSeconds(60));
    VoucherService service = new VoucherService(issuer);
    VoucherCollector collector = new VoucherCollector(store, node, n(100), Duration.ofSeconds(65), clock);
    clock.advance(70_000);
    VoucherCollector.PendingVoucher p = collector.prepare(Fixtures.PAYER).orElseThrow();
    assertEquals(60, p.receipts().size());
    VoucherMessages.Request decoded = VoucherMessages.Request.decode(p.request());
    assertTrue(decoded.memberships().stream().allMatch(Optional::isPresent), "v2 request carries every batch path");

    // the same request with one receipt's path swapped for its neighbour's
    List<Optional<BatchMembership>> wrong = new ArrayList<>(decoded.memberships());
    BatchMembership m0 = wrong.get(0).orElseThrow();
    BatchPath other = store.membership(p.receipts().get(1)).orElseThrow().path();
    assertEquals(m0.batch(), store.membership(p.receipts().get(1)).orElseThrow().batch(), "same batch, neighbour's path");
    wrong.set(0, Optional.of(new BatchMembership(m0.batch(), other)));
    byte[] tampered = new VoucherMessages.Request(decoded.previous(), decoded.receipts(), wrong).encode();
    VoucherMessages.Response refused = VoucherMessages.Response.decode(service.handle(tampered, nodePeer));
    assertEquals(Optional.of(VoucherRejectedException.Reason.BAD_SIGNATURE), refused.reason(), refused.message());

    Voucher v = collector.accept(p, service.handle(p.request(), nodePeer));
    assertEquals(60, v.batchCount());
    assertEquals(n(300), v.valueTotal());
  }

  private EpochClaimBuilder.Built claimAndSeed() {
    EpochClaimBuilder.Built built = EpochClaimBuilder.build(store, epoch, Fixtures.PAYER, node).orElseThrow();
    assertEquals(List.of(), built.rejected(), "every batched receipt verifies on its batch");
    clock.set(Fixtures.EPOCHS.endMs(epoch) + 1);
    ledger.submitClaim(built.claim());
    clock.set(Fixtures.EPOCHS.endMs(epoch) + params.claimWindowMs());
    ledger.tick();
    return built;
  }

  @Test
  void theLedgerAcceptsAClaimProofV2OnTheBatchSignature() {
    EpochClaimBuilder.Built built = claimAndSeed();
    long point = ledger.challengePoints(epoch, node, Fixtures.PAYER).get(0);
    ClaimProof proof = EpochClaimBuilder.prove(built, 0, point,
        new io.disjoint.staking.receipt.AttestationSigner(Fixtures.nodeKey(), Fixtures.DOMAIN));
    assertTrue(proof.membership().isPresent());
    assertEquals(proof, ClaimProof.decode(proof.encode()), "v2 encoding round-trips");
    ledger.submitProof(proof);
    clock.set(Fixtures.EPOCHS.endMs(epoch) + params.claimWindowMs() + params.proofWindowMs());
    ledger.tick();
    assertEquals(ClaimState.Status.REWARDED, ledger.claim(epoch, node, Fixtures.PAYER).orElseThrow().status());
  }

  @Test
  void aClaimProofWithAWrongBatchPathIsABadSignature() {
    EpochClaimBuilder.Built built = claimAndSeed();
    long point = ledger.challengePoints(epoch, node, Fixtures.PAYER).get(0);
    ClaimProof good = EpochClaimBuilder.prove(built, 0, point,
        new io.disjoint.staking.receipt.AttestationSigner(Fixtures.nodeKey(), Fixtures.DOMAIN));
    BatchMembership m = good.membership().orElseThrow();
    List<Bytes32> siblings = new ArrayList<>(m.path().siblings());
    siblings.set(0, Bytes32.ZERO);
    ClaimProof tampered = new ClaimProof(good.epoch(), good.nodeId(), good.payer(), 0, good.receipt(),
        Optional.of(new BatchMembership(m.batch(), new BatchPath(m.path().leafIndex(), m.path().leafCount(), siblings))),
        good.attestation(), good.path());
    LedgerException e = assertThrows(LedgerException.class, () -> ledger.submitProof(tampered));
    assertEquals(LedgerException.Reason.BAD_SIGNATURE, e.reason(), e.getMessage());
    byte[] sig = m.batch().signature().toArray();
    sig[0] ^= 1;
    ClaimProof forged = new ClaimProof(good.epoch(), good.nodeId(), good.payer(), 0, good.receipt(),
        Optional.of(new BatchMembership(m.batch().withSignature(Bytes.wrap(sig)), m.path())), good.attestation(), good.path());
    assertEquals(LedgerException.Reason.BAD_SIGNATURE,
        assertThrows(LedgerException.class, () -> ledger.submitProof(forged)).reason());
    ledger.submitProof(good);
  }
}
