package io.disjoint.staking.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group-commit linger: a batch that is not full waits for more receipts, but never longer than
 * the linger counted from its oldest receipt, a full batch never waits, and what is acknowledged
 * is stored exactly as without linger.
 */
class ReceiptStoreLingerTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final ReceiptSigner signer = Fixtures.signer(clock, 23);
  private int next;

  private PaymentReceipt receipt() {
    return Fixtures.receipt(signer, next++);
  }

  private static CompletableFuture<Void> append(ReceiptStore store, PaymentReceipt r) {
    return store.append(r, Fixtures.attest(r));
  }

  @Test
  void aLoneReceiptWaitsAtMostTheLingerBeforeItsSync() throws Exception {
    Duration linger = Duration.ofMillis(200);
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test",
        StoreConfig.DEFAULTS.withLinger(linger))) {
      append(store, receipt()).get(10, TimeUnit.SECONDS); // opens files, warms up
      for (int i = 0; i < 3; i++) {
        PaymentReceipt r = receipt();
        WriterStats before = store.writerStats();
        long started = System.nanoTime();
        append(store, r).get(10, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        WriterStats after = store.writerStats();
        long lingered = after.lingerMillis() - before.lingerMillis();
        long syncMs = after.writeMillis() + after.syncMillis() - before.writeMillis()
            - before.syncMillis();
        long buildMs = after.buildMillis() - before.buildMillis();
        assertEquals(1, after.batches() - before.batches(), "one batch for the lone receipt");
        assertEquals(1, after.syncs() - before.syncs(), "one WAL sync for it");
        assertTrue(tookMs >= 150, "nothing else came, so it lingered: " + tookMs + " ms");
        assertTrue(lingered <= linger.toMillis() + 50, "lingered " + lingered + " ms");
        // the rest is the sync itself plus thread wake-ups on a busy machine
        assertTrue(tookMs <= linger.toMillis() + syncMs + buildMs + 250,
            "acknowledged after " + tookMs + " ms: linger " + linger.toMillis() + " + write and sync "
                + syncMs + " + build " + buildMs);
        assertTrue(store.contains(r.epoch(), r.id()));
      }
    }
  }

  @Test
  void aFullBatchNeverWaitsForTheLinger() throws Exception {
    int batch = 32;
    List<PaymentReceipt> receipts = new ArrayList<>();
    for (int i = 0; i < batch * 3; i++) {
      receipts.add(receipt());
    }
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test",
        new StoreConfig(batch, 1024, StoreConfig.MAX_LINGER))) {
      long started = System.nanoTime();
      List<CompletableFuture<Void>> acks = new ArrayList<>();
      receipts.forEach(r -> acks.add(append(store, r)));
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(tookMs < 700, "three full batches took " + tookMs + " ms with a 1 s linger");
      assertEquals(3, store.writerStats().batches());
      assertEquals(batch * 3, store.totals(receipts.get(0).epoch(), Fixtures.PAYER).receiptCount());
    }
  }

  @Test
  void atRelayRatesOneSyncCarriesManyReceiptsAndAllAreStored() throws Exception {
    List<PaymentReceipt> receipts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      receipts.add(receipt());
    }
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test",
        StoreConfig.DEFAULTS.withLinger(Duration.ofMillis(20)))) {
      List<CompletableFuture<Void>> acks = new ArrayList<>();
      for (PaymentReceipt r : receipts) {
        acks.add(append(store, r));
        Thread.sleep(1); // ~1,000 receipts per second, one at a time as relays finish
      }
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      WriterStats stats = store.writerStats();
      assertTrue(stats.recordsPerBatch() >= 5,
          "with a 20 ms linger a sync carries several receipts: " + stats);
    }
    // acknowledged means stored, linger or not
    try (ReceiptStore reopened = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS)) {
      for (PaymentReceipt r : receipts) {
        assertEquals(r, reopened.get(r.epoch(), r.id()).orElseThrow().receipt());
      }
      assertEquals(200, reopened.totals(receipts.get(0).epoch(), Fixtures.PAYER).receiptCount());
    }
  }
}
