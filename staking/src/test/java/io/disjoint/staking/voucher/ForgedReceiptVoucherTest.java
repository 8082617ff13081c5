package io.disjoint.staking.voucher;

import static io.disjoint.staking.testing.LedgerFixtures.n;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.store.StoredReceipt;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forged receipt that escaped the serving node's signature sample and reached the store: the
 * gateway refuses the batch holding it, the node finds it, and the next batch gets its voucher.
 */
class ForgedReceiptVoucherTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final PeerId nodeId = Fixtures.nodeKey().peerId();
  private final ReceiptSigner signer = Fixtures.signer(clock, 31);
  private final VoucherService service = new VoucherService(new VoucherIssuer(Fixtures.gatewayKey(), Fixtures.DOMAIN,
      Fixtures.PAYER, clock, Duration.ofSeconds(60)));
  private ReceiptStore store;
  private VoucherCollector collector;
  private PaymentReceipt forged;

  @BeforeEach
  void fill() throws Exception {
    store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS);
    collector = new VoucherCollector(store, Bytes.wrap(nodeId.bytes()), n(500), Duration.ofSeconds(65), clock);
    for (int i = 0; i < 10; i++) {
      clock.advance(5);
      PaymentReceipt r = signer.issue(nodeId, "eip155:1", Fixtures.hash("q" + i), 20, n(100));
      if (i == 4) {
        byte[] sig = r.signature().toArray();
        sig[3] ^= 1;
        r = r.withSignature(Bytes.wrap(sig));
        forged = r;
      }
      store.append(r, Fixtures.attest(r)).get();
    }
    clock.advance(65_000);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void theRefusedBatchIsCheckedAndTheForgedReceiptLeftOut() {
    VoucherCollector.PendingVoucher first = collector.prepare(Fixtures.PAYER).orElseThrow();
    assertEquals(10, first.receipts().size());
    VoucherRejectedException refused = assertThrows(VoucherRejectedException.class,
        () -> collector.accept(first, service.handle(first.request(), nodeId)));
    assertEquals(VoucherRejectedException.Reason.BAD_SIGNATURE, refused.reason());
    assertTrue(refused.getMessage().contains("1 receipt(s) of the batch do not verify"), refused.getMessage());
    assertEquals(1, collector.forgedReceipts());

    VoucherCollector.PendingVoucher second = collector.prepare(Fixtures.PAYER).orElseThrow();
    assertEquals(9, second.receipts().size());
    assertTrue(second.receipts().stream().map(StoredReceipt::id).noneMatch(forged.id()::equals));
    Voucher v = collector.accept(second, service.handle(second.request(), nodeId));
    assertEquals(n(900), v.valueTotal(), "every good receipt is paid for");
    assertEquals(n(100), store.unvoucheredValue(Fixtures.PAYER), "the forged one stays unpaid and counts against the risk limit");
  }
}
