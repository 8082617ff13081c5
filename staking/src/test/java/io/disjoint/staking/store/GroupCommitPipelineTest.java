package io.disjoint.staking.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.MutableClock;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three-stage group commit (build, write unsynced, sync the WAL): with many small batches in
 * flight, every acknowledged receipt is stored once, totals count each exactly once, batches
 * reach the WAL in order (a mutation between appends sees the appends before it), and one WAL
 * sync may cover several written batches but never fewer than one.
 */
class GroupCommitPipelineTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final ReceiptSigner signer = Fixtures.signer(clock, 31);

  @Test
  void aBurstOfSmallBatchesIsStoredWholeAndInOrder() throws Exception {
    int n = 6_400;
    List<PaymentReceipt> receipts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      receipts.add(Fixtures.receipt(signer, i));
    }
    long epoch = receipts.get(0).epoch();
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    WriterStats stats;
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test",
        new StoreConfig(64, 1024, Duration.ZERO))) {
      for (int i = 0; i < n; i++) {
        PaymentReceipt r = receipts.get(i);
        acks.add(store.append(r, Fixtures.attest(r)));
        if (i == n / 2) {
          // a mutation in the middle of the burst: it runs after the appends queued before it
          acks.add(store.recordClaim(epoch, Fixtures.PAYER, new byte[] {1, 2, 3}));
        }
      }
      // a replay of a receipt of the burst, queued after it: refused, nothing counted twice
      PaymentReceipt replayed = receipts.get(17);
      CompletableFuture<Void> replay = store.append(replayed, Fixtures.attest(replayed));
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertTrue(replay.handle((ok, err) -> err instanceof ReceiptWriteException).get(10, TimeUnit.SECONDS),
          "the replay is refused");
      stats = store.writerStats();
    }
    assertEquals(n + 2, stats.records(), "every write (appends, claim, replay) went through one batch: " + stats);
    assertTrue(stats.batches() >= (n + 2) / 64, "batches hold at most 64 writes: " + stats);
    assertTrue(stats.syncs() >= 1 && stats.syncs() <= stats.batches(),
        "a WAL sync covers one or more written batches: " + stats);
    try (ReceiptStore reopened = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS)) {
      for (PaymentReceipt r : receipts) {
        assertEquals(r, reopened.get(r.epoch(), r.id()).orElseThrow().receipt());
      }
      EpochPayerTotals totals = reopened.totals(epoch, Fixtures.PAYER);
      assertEquals(n, totals.receiptCount());
      BigInteger value = receipts.stream().map(PaymentReceipt::value).reduce(BigInteger.ZERO, BigInteger::add);
      assertEquals(value, totals.value());
      assertEquals(3, reopened.claim(epoch, Fixtures.PAYER).orElseThrow().length);
    }
  }
}
