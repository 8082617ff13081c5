package io.disjoint.staking.voucher;

import static io.disjoint.staking.testing.LedgerFixtures.OPERATOR;
import static io.disjoint.staking.testing.LedgerFixtures.n;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.ledger.EmbeddedLedger;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.store.EpochPayerTotals;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.LedgerFixtures;
import io.disjoint.staking.testing.MutableClock;
import io.disjoint.staking.voucher.VoucherRejectedException.Reason;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node and gateway talking through VoucherService bytes, then the ledger paying out. */
class VoucherFlowTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final PeerId nodeId = Fixtures.nodeKey().peerId();
  private final Bytes node = Bytes.wrap(nodeId.bytes());
  private final ReceiptSigner signer = Fixtures.signer(clock, 21);
  private final VoucherIssuer issuer = new VoucherIssuer(Fixtures.gatewayKey(), Fixtures.DOMAIN,
      Fixtures.PAYER, clock, Duration.ofSeconds(60));
  private final VoucherService service = new VoucherService(issuer);
  private ReceiptStore store;
  private VoucherCollector collector;

  @BeforeEach
  void open() {
    store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS);
    collector = new VoucherCollector(store, node, n(500), Duration.ofSeconds(65), clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void relay(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      clock.advance(5);
      PaymentReceipt r = signer.issue(nodeId, "eip155:1", Fixtures.hash("q" + clock.millis()), 20, n(100));
      store.append(r, Fixtures.attest(r)).get();
    }
  }

  private Voucher roundTrip() {
    VoucherCollector.PendingVoucher p = collector.prepare(Fixtures.PAYER).orElseThrow();
    return collector.accept(p, service.handle(p.request(), nodeId));
  }

  @Test
  void runningTotalsGrowAndTheLedgerPaysTheDifference() throws Exception {
    relay(4);
    assertTrue(collector.prepare(Fixtures.PAYER).isEmpty(), "400 is below the 500 threshold");
    relay(4);
    assertTrue(collector.prepare(Fixtures.PAYER).isEmpty(), "receipts still inside the settle lag");
    clock.advance(65_000);
    assertEquals(List.of(Fixtures.PAYER), collector.payersDue());
    Voucher v1 = roundTrip();
    assertEquals(List.of(), collector.payersDue());
    assertEquals(1, v1.sequence());
    assertEquals(n(800), v1.valueTotal());
    assertEquals(8, v1.batchCount());
    EpochPayerTotals t = store.summary().get(0);
    assertEquals(EpochPayerTotals.VoucherState.COMPLETE, t.voucherState());
    assertEquals(BigInteger.ZERO, store.unvoucheredValue(Fixtures.PAYER));

    relay(6);
    clock.advance(65_000);
    Voucher v2 = roundTrip();
    assertEquals(2, v2.sequence());
    assertEquals(v1.id(), v2.previousId());
    assertEquals(n(1400), v2.valueTotal());

    EmbeddedLedger ledger = EmbeddedLedger.inMemory(LedgerFixtures.genesis(), clock);
    ledger.stake(OPERATOR, node, n(1000));
    ledger.deposit(Fixtures.PAYER, n(10_000));
    ledger.authorizeSigner(Fixtures.PAYER, signer.signerKey());
    assertEquals(n(1400), ledger.redeemVoucher(collector.latest(Fixtures.PAYER).orElseThrow()));
  }

  @Test
  void gatewayRefusesReceiptsNotAfterThePreviousVoucher() throws Exception {
    relay(6);
    clock.advance(65_000);
    Voucher v1 = roundTrip();
    PaymentReceipt old = store.receipts(Fixtures.EPOCHS.epochAt(Fixtures.T0), Fixtures.PAYER, -1, 1)
        .get(0).receipt();
    byte[] again = new VoucherMessages.Request(Optional.of(v1), List.of(old)).encode();
    VoucherMessages.Response r = VoucherMessages.Response.decode(service.handle(again, nodeId));
    assertEquals(Optional.of(Reason.NOT_AFTER_PREVIOUS), r.reason());
  }

  private Reason refusal(VoucherMessages.Request request, PeerId asking) {
    return VoucherMessages.Response.decode(service.handle(request.encode(), asking)).reason().orElseThrow();
  }

  @Test
  void gatewayChecksEveryReceiptOfTheBatch() {
    PaymentReceipt a = signer.issue(nodeId, "eip155:1", Fixtures.hash("a"), 20, n(100));
    assertEquals(Reason.DUPLICATE_IN_BATCH,
        refusal(new VoucherMessages.Request(Optional.empty(), List.of(a, a)), nodeId));
    assertEquals(Reason.WRONG_NODE,
        refusal(new VoucherMessages.Request(Optional.empty(), List.of(a)), Fixtures.key("other").peerId()));
    ReceiptSigner otherPayer = new ReceiptSigner(Fixtures.gatewayKey(), Fixtures.DOMAIN,
        Account.named("someone-else"), Fixtures.EPOCHS, clock, new Random(1));
    assertEquals(Reason.WRONG_PAYER, refusal(new VoucherMessages.Request(Optional.empty(),
        List.of(otherPayer.issue(nodeId, "eip155:1", Fixtures.hash("b"), 1, n(1)))), nodeId));
    PaymentReceipt forged = a.withSignature(Bytes.wrap(new byte[64]));
    assertEquals(Reason.BAD_SIGNATURE,
        refusal(new VoucherMessages.Request(Optional.empty(), List.of(forged)), nodeId));
    clock.advance(-120_000);
    PaymentReceipt early = signer.issue(nodeId, "eip155:1", Fixtures.hash("c"), 1, n(1));
    clock.advance(240_000);
    Voucher v = issuer.issue(nodeId, new VoucherMessages.Request(Optional.empty(), List.of(a)));
    Voucher forgedPrev = v.withSignature(Bytes.wrap(Fixtures.key("mallory").sign(v.signingBytes())));
    assertEquals(Reason.PREVIOUS_INVALID,
        refusal(new VoucherMessages.Request(Optional.of(forgedPrev), List.of(early)), nodeId));
    assertEquals(Reason.MALFORMED, VoucherMessages.Response.decode(
        service.handle(new byte[] {1, 2, 3}, nodeId)).reason().orElseThrow());
  }

  @Test
  void nodeRejectsAVoucherWhoseTotalGoesDown() throws Exception {
    relay(6);
    clock.advance(65_000);
    Voucher v1 = roundTrip();
    relay(6);
    clock.advance(65_000);
    VoucherCollector.PendingVoucher p = collector.prepare(Fixtures.PAYER).orElseThrow();
    Voucher honest = VoucherMessages.Response.decode(service.handle(p.request(), nodeId)).voucher().orElseThrow();
    Voucher lower = new Voucher(honest.domain(), honest.payer(), honest.signerKey(), honest.nodeId(),
        honest.sequence(), honest.previousId(), honest.lastTimestampMs(), honest.batchCount(),
        honest.batchRoot(), honest.batchComputeUnits(), honest.batchValue(),
        v1.valueTotal().subtract(n(1)).max(honest.batchValue()), Bytes.EMPTY);
    lower = lower.withSignature(Bytes.wrap(Fixtures.gatewayKey().sign(lower.signingBytes())));
    byte[] response = VoucherMessages.Response.ok(lower).encode();
    VoucherRejectedException e = assertThrows(VoucherRejectedException.class, () -> collector.accept(p, response));
    assertEquals(Reason.TOTAL_MISMATCH, e.reason());
    assertEquals(1L, store.latestVoucher(Fixtures.PAYER).orElseThrow().getKey(), "not recorded");
  }
}
