package io.disjoint.staking.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.store.EpochPayerTotals.VoucherState;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.MutableClock;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptStoreTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final ReceiptSigner signer = Fixtures.signer(clock, 11);

  private ReceiptStore open() {
    return ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS);
  }

  private static ReceiptWriteException.Reason failure(CompletableFuture<Void> f) {
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    return ((ReceiptWriteException) e.getCause()).reason();
  }

  @Test
  void appendsConcurrentlyAndKeepsTotalsAcrossReopen() throws Exception {
    List<PaymentReceipt> receipts = new ArrayList<>();
    try (ReceiptStore store = open()) {
      List<CompletableFuture<Void>> acks = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        PaymentReceipt r = Fixtures.receipt(signer, i);
        receipts.add(r);
        acks.add(store.append(r, Fixtures.attest(r)));
      }
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
    }
    long epoch = receipts.get(0).epoch();
    BigInteger value = receipts.stream().map(PaymentReceipt::value).reduce(BigInteger.ZERO, BigInteger::add);
    try (ReceiptStore store = open()) {
      EpochPayerTotals t = store.totals(epoch, Fixtures.PAYER);
      assertEquals(500, t.receiptCount());
      assertEquals(500 * 20, t.computeUnits());
      assertEquals(value, t.value());
      assertEquals(VoucherState.NONE, t.voucherState());
      assertEquals(value, store.unvoucheredValue(Fixtures.PAYER));
      assertEquals(List.of(t), store.summary());
      for (PaymentReceipt r : receipts) {
        StoredReceipt s = store.get(epoch, r.id()).orElseThrow();
        assertEquals(r, s.receipt());
        assertEquals(Fixtures.attest(r), s.attestation());
      }
      List<StoredReceipt> all = store.receipts(epoch, Fixtures.PAYER, -1, 10_000);
      assertEquals(500, all.size());
    }
  }

  @Test
  void rejectsDuplicatesInTheSameBatchAndLater() throws Exception {
    try (ReceiptStore store = open()) {
      PaymentReceipt r = Fixtures.receipt(signer, 1);
      CompletableFuture<Void> a = store.append(r, Fixtures.attest(r));
      CompletableFuture<Void> b = store.append(r, Fixtures.attest(r));
      a.get();
      assertEquals(ReceiptWriteException.Reason.DUPLICATE_RECEIPT, failure(b));
      assertEquals(ReceiptWriteException.Reason.DUPLICATE_RECEIPT,
          failure(store.append(r, Fixtures.attest(r))));
      assertEquals(1, store.totals(r.epoch(), r.payer()).receiptCount());
    }
  }

  @Test
  void concurrentCopiesOfAReceiptAreStoredExactlyOnce() throws Exception {
    List<PaymentReceipt> receipts = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      receipts.add(Fixtures.receipt(signer, i));
    }
    try (ReceiptStore store = open()) {
      List<List<CompletableFuture<Void>>> perThread = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        List<CompletableFuture<Void>> mine = new ArrayList<>();
        perThread.add(mine);
        threads.add(new Thread(() -> receipts.forEach(r -> mine.add(store.append(r, Fixtures.attest(r))))));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      for (int i = 0; i < receipts.size(); i++) {
        int ok = 0;
        for (List<CompletableFuture<Void>> mine : perThread) {
          try {
            mine.get(i).get();
            ok++;
          } catch (ExecutionException e) {
            assertEquals(ReceiptWriteException.Reason.DUPLICATE_RECEIPT,
                ((ReceiptWriteException) e.getCause()).reason());
          }
        }
        assertEquals(1, ok, "receipt " + i + " acknowledged exactly once");
      }
      assertEquals(300, store.totals(receipts.get(0).epoch(), Fixtures.PAYER).receiptCount());
    }
  }

  @Test
  void rejectsAReusedNonceWithDifferentContents() throws Exception {
    try (ReceiptStore store = open()) {
      PaymentReceipt r = Fixtures.receipt(signer, 1);
      store.append(r, Fixtures.attest(r)).get();
      PaymentReceipt twin = reusingNonceOf(r);
      assertEquals(ReceiptWriteException.Reason.NONCE_REUSED, failure(store.append(twin, Fixtures.attest(twin))));
      assertEquals(r, store.get(r.epoch(), r.id()).orElseThrow().receipt(), "first one unchanged");
    }
  }

  private static PaymentReceipt reusingNonceOf(PaymentReceipt r) {
    PaymentReceipt twin = new PaymentReceipt(r.domain(), r.payer(), r.signerKey(), r.nodeId(),
        r.chain(), r.epoch(), r.timestampMs(), r.nonce(), r.requestHash(), 99, r.value(),
        Bytes.EMPTY);
    return twin.withSignature(Bytes.wrap(Fixtures.gatewayKey().sign(twin.signingBytes())));
  }

  @Test
  void duplicatesAndReusedNoncesAreCaughtAfterAReopenAndForOlderReceipts() throws Exception {
    PaymentReceipt early = Fixtures.receipt(signer, 1);
    clock.advance(5_000);
    PaymentReceipt late = Fixtures.receipt(signer, 2);
    try (ReceiptStore store = open()) {
      store.append(late, Fixtures.attest(late)).get();
    }
    try (ReceiptStore store = open()) {
      // the writer remembers nothing after a reopen: these are answered by RocksDB
      assertEquals(ReceiptWriteException.Reason.DUPLICATE_RECEIPT,
          failure(store.append(late, Fixtures.attest(late))));
      PaymentReceipt twin = reusingNonceOf(late);
      assertEquals(ReceiptWriteException.Reason.NONCE_REUSED,
          failure(store.append(twin, Fixtures.attest(twin))));
      // older than anything stored for the payer: looked up, free, stored, then a replay
      store.append(early, Fixtures.attest(early)).get();
      assertEquals(ReceiptWriteException.Reason.DUPLICATE_RECEIPT,
          failure(store.append(early, Fixtures.attest(early))));
      assertTrue(store.writerStats().storeLookups() >= 3, store.writerStats().toString());
      // newer receipts are checked from memory alone, replays of them included
      clock.advance(1_000);
      PaymentReceipt newer = Fixtures.receipt(signer, 3);
      long lookups = store.writerStats().storeLookups();
      store.append(newer, Fixtures.attest(newer)).get();
      assertEquals(ReceiptWriteException.Reason.DUPLICATE_RECEIPT,
          failure(store.append(newer, Fixtures.attest(newer))));
      PaymentReceipt newerTwin = reusingNonceOf(newer);
      assertEquals(ReceiptWriteException.Reason.NONCE_REUSED,
          failure(store.append(newerTwin, Fixtures.attest(newerTwin))));
      assertEquals(lookups, store.writerStats().storeLookups());
      assertEquals(3, store.totals(late.epoch(), Fixtures.PAYER).receiptCount());
    }
  }

  @Test
  void readOnlyOpenSeesAcknowledgedReceiptsWhileTheWriterIsOpen() throws Exception {
    try (ReceiptStore store = open()) {
      PaymentReceipt r = Fixtures.receipt(signer, 1);
      store.append(r, Fixtures.attest(r)).get();
      try (ReceiptStore ro = ReceiptStore.openReadOnly(dir)) {
        assertEquals(1, ro.totals(r.epoch(), r.payer()).receiptCount());
        assertEquals(ReceiptWriteException.Reason.STORE_UNAVAILABLE, failure(ro.append(r, Fixtures.attest(r))));
      }
    }
  }

  @Test
  void vouchersMarkReceiptsAndDeletingEpochsRemovesEverything() throws Exception {
    try (ReceiptStore store = open()) {
      List<StoredReceipt> first = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        PaymentReceipt r = Fixtures.receipt(signer, i);
        store.append(r, Fixtures.attest(r)).get();
        first.add(StoredReceipt.of(r, Fixtures.attest(r)));
      }
      long e0 = first.get(0).receipt().epoch();
      clock.advance(3_600_000);
      PaymentReceipt later = Fixtures.receipt(signer, 9);
      store.append(later, Fixtures.attest(later)).get();
      store.recordVoucher(Fixtures.PAYER, 1, new byte[] {1, 2, 3}, first.subList(0, 2)).get();
      EpochPayerTotals t = store.totals(e0, Fixtures.PAYER);
      assertEquals(VoucherState.PARTIAL, t.voucherState());
      assertEquals(2, t.voucheredCount());
      assertEquals(1L, store.latestVoucher(Fixtures.PAYER).orElseThrow().getKey());
      BigInteger expected = first.get(2).receipt().value().add(first.get(3).receipt().value())
          .add(later.value());
      assertEquals(expected, store.unvoucheredValue(Fixtures.PAYER));

      store.deleteEpochsBefore(e0 + 1).get();
      assertFalse(store.contains(e0, first.get(0).id()));
      assertEquals(0, store.totals(e0, Fixtures.PAYER).receiptCount());
      assertEquals(List.of(store.totals(e0 + 1, Fixtures.PAYER)), store.summary());
      assertEquals(later.value(), store.unvoucheredValue(Fixtures.PAYER));
      assertTrue(store.contains(later.epoch(), later.id()));
    }
  }

  @Test
  void failsClosedWhenMetadataIsMissing() throws Exception {
    try (ReceiptStore store = open()) {
      PaymentReceipt r = Fixtures.receipt(signer, 1);
      store.append(r, Fixtures.attest(r)).get();
    }
    Files.delete(dir.resolve(StoreMetadata.FILE_NAME));
    long files = Files.list(dir).count();
    StoreOpenException e = assertThrows(StoreOpenException.class, this::open);
    assertEquals(StoreOpenException.Kind.METADATA_MISSING, e.kind());
    assertEquals(files, Files.list(dir).count(), "nothing deleted or created");
  }

  @Test
  void failsClosedOnCorruptMetadataNewerSchemaAndOtherNetwork() throws Exception {
    open().close();
    Path meta = dir.resolve(StoreMetadata.FILE_NAME);
    String good = Files.readString(meta);

    Files.writeString(meta, good.replace("schema=" + ReceiptStore.SCHEMA, "schema=" + (ReceiptStore.SCHEMA + 1)));
    assertEquals(StoreOpenException.Kind.METADATA_CORRUPT,
        assertThrows(StoreOpenException.class, this::open).kind(), "checksum catches edits");

    Files.writeString(meta, "garbage");
    assertEquals(StoreOpenException.Kind.METADATA_CORRUPT,
        assertThrows(StoreOpenException.class, this::open).kind());

    new StoreMetadata(ReceiptStore.KIND, ReceiptStore.SCHEMA + 1, "disjoint-test").write(dir);
    assertEquals(StoreOpenException.Kind.SCHEMA_TOO_NEW,
        assertThrows(StoreOpenException.class, this::open).kind());

    new StoreMetadata(ReceiptStore.KIND, ReceiptStore.SCHEMA, "disjoint-mainnet").write(dir);
    StoreOpenException wrong = assertThrows(StoreOpenException.class, this::open);
    assertEquals(StoreOpenException.Kind.WRONG_NETWORK, wrong.kind());
    assertTrue(wrong.getMessage().contains("disjoint-mainnet"), wrong.getMessage());

    new StoreMetadata(ReceiptStore.KIND, ReceiptStore.SCHEMA, "disjoint-test").write(dir);
    open().close();
  }

  @Test
  void readOnlyOpenOfAnEmptyDirectoryCreatesNothing() {
    Path empty = dir.resolve("none");
    assertEquals(StoreOpenException.Kind.NO_STORE,
        assertThrows(StoreOpenException.class, () -> ReceiptStore.openReadOnly(empty)).kind());
    assertFalse(Files.exists(empty));
  }

  @Test
  void accountsOfDifferentPayersStayApart() throws Exception {
    ReceiptSigner other = new ReceiptSigner(Fixtures.gatewayKey(), Fixtures.DOMAIN,
        Account.named("payer-2"), Fixtures.EPOCHS, clock, new java.util.Random(5));
    try (ReceiptStore store = open()) {
      PaymentReceipt a = Fixtures.receipt(signer, 1);
      PaymentReceipt b = Fixtures.receipt(other, 1);
      store.append(a, Fixtures.attest(a)).get();
      store.append(b, Fixtures.attest(b)).get();
      assertEquals(2, store.summary().size());
      assertEquals(a.value(), store.unvoucheredValue(Fixtures.PAYER));
      assertEquals(List.of(), store.receipts(a.epoch(), Account.named("nobody"), -1, 10));
    }
  }
}
