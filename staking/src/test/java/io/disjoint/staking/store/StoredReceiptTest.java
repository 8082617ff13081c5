package io.disjoint.staking.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.MutableClock;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Receipts stored with signed and with not-yet-signed attestations, on a real RocksDB store. */
class StoredReceiptTest {
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final ReceiptSigner gateway = Fixtures.signer(clock, 5);
  private final AttestationSigner node = new AttestationSigner(Fixtures.nodeKey(), Fixtures.DOMAIN);

  private ResponseAttestation unsigned(PaymentReceipt r) {
    return node.unsigned(r, Fixtures.hash("answer-" + r.nonce()), 7, Fixtures.hash("block-7"));
  }

  @Test
  void unsignedAttestationsSurviveAReopenUnsignedAndSignedOnesSigned(@TempDir Path dir) throws Exception {
    PaymentReceipt lazy = Fixtures.receipt(gateway, 1);
    clock.advance(5);
    PaymentReceipt eager = Fixtures.receipt(gateway, 2);
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS)) {
      store.append(lazy, unsigned(lazy)).get();
      store.append(eager, node.sign(unsigned(eager))).get();
    }
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS)) {
      StoredReceipt a = store.get(lazy.epoch(), lazy.id()).orElseThrow();
      assertFalse(a.attestation().isSigned());
      assertEquals(unsigned(lazy), a.attestation());
      assertEquals(lazy, a.receipt());
      StoredReceipt b = store.get(eager.epoch(), eager.id()).orElseThrow();
      assertTrue(b.attestation().isSigned());
      assertEquals(node.sign(unsigned(eager)), b.attestation());
      assertEquals(node.sign(a.attestation()).id(), a.attestation().id(), "signing later keeps the id a claim commits to");
      int[] n = {0};
      store.forEachReceipt(s -> n[0]++);
      assertEquals(2, n[0]);
    }
  }

  @Test
  void aSchemaOneStoreIsUpgradedOnItsFirstWritableOpenSoOlderCodeRefusesIt(@TempDir Path dir) throws Exception {
    PaymentReceipt r = Fixtures.receipt(gateway, 4);
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS)) {
      store.append(r, node.sign(unsigned(r))).get();
    }
    new StoreMetadata(ReceiptStore.KIND, 1, "disjoint-test").write(dir);
    try (ReceiptStore readOnly = ReceiptStore.openReadOnly(dir)) {
      assertTrue(readOnly.get(r.epoch(), r.id()).isPresent());
    }
    assertEquals(1, StoreMetadata.read(dir).schema(), "a read-only open writes nothing");
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS)) {
      assertEquals(ReceiptStore.SCHEMA, StoreMetadata.read(dir).schema());
      assertEquals(node.sign(unsigned(r)), store.get(r.epoch(), r.id()).orElseThrow().attestation(),
          "schema-1 values read unchanged");
    }
    StoreOpenException older = assertThrows(StoreOpenException.class,
        () -> StoreMetadata.checkOrCreate(dir, ReceiptStore.KIND, 1, "disjoint-test", true));
    assertEquals(StoreOpenException.Kind.SCHEMA_TOO_NEW, older.kind(), "what code from before schema 2 sees");
  }

  @Test
  void aSchemaTwoStoreWithoutBatchesFamilyOpensReadOnlyAndIsUpgradedToThreeOnAWritableOpen(@TempDir Path dir)
      throws Exception {
    PaymentReceipt r = Fixtures.receipt(gateway, 6);
    // What schema-2 code left on disk: the five families of then, metadata schema 2.
    try (org.rocksdb.DBOptions o = new org.rocksdb.DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)) {
      java.util.List<org.rocksdb.ColumnFamilyDescriptor> d = new java.util.ArrayList<>();
      d.add(new org.rocksdb.ColumnFamilyDescriptor(org.rocksdb.RocksDB.DEFAULT_COLUMN_FAMILY));
      for (String f : java.util.List.of("receipts", "seen", "totals", "vouchers", "claims")) {
        d.add(new org.rocksdb.ColumnFamilyDescriptor(f.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      }
      java.util.List<org.rocksdb.ColumnFamilyHandle> h = new java.util.ArrayList<>();
      try (org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(o, dir.toString(), d, h)) {
        db.put(h.get(2), StoreKeys.seen(r.epoch(), r.id()), StoreKeys.receipt(r));
        db.put(h.get(1), StoreKeys.receipt(r), StoredReceipt.encodeValue(r.encode(), node.sign(unsigned(r)).encode()));
        h.forEach(org.rocksdb.ColumnFamilyHandle::close);
      }
    }
    new StoreMetadata(ReceiptStore.KIND, 2, "disjoint-test").write(dir);
    try (ReceiptStore readOnly = ReceiptStore.openReadOnly(dir)) {
      assertEquals(r, readOnly.get(r.epoch(), r.id()).orElseThrow().receipt(), "read-only opens accept schema 2");
      assertTrue(readOnly.batch(r.epoch(), r.id()).isEmpty());
    }
    assertEquals(2, StoreMetadata.read(dir).schema());
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS)) {
      assertEquals(3, StoreMetadata.read(dir).schema());
      assertEquals(r, store.get(r.epoch(), r.id()).orElseThrow().receipt());
    }
    StoreOpenException older = assertThrows(StoreOpenException.class,
        () -> StoreMetadata.checkOrCreate(dir, ReceiptStore.KIND, 2, "disjoint-test", true));
    assertEquals(StoreOpenException.Kind.SCHEMA_TOO_NEW, older.kind(), "what schema-2 code sees now");
  }

  @Test
  void aBatchedValueRoundTripsWithItsBatchRefAndAnUnsignedOneWithoutIsRefused() {
    PaymentReceipt r = Fixtures.receipt(gateway, 7).withSignature(org.apache.tuweni.bytes.Bytes.EMPTY);
    BatchRef ref = new BatchRef(r.epoch(), org.apache.tuweni.bytes.Bytes32.fromHexString("ab".repeat(32)), 5);
    byte[] value = StoredReceipt.encodeValue(r.encode(), unsigned(r).encode(), ref);
    StoredReceipt back = StoredReceipt.decodeValue(value);
    assertEquals(java.util.Optional.of(ref), back.batch());
    assertEquals(r, back.receipt());
    byte[] noRef = StoredReceipt.encodeValue(r.encode(), unsigned(r).encode());
    assertThrows(MalformedEncodingException.class, () -> StoredReceipt.decodeValue(noRef));
    byte[] badTrailer = value.clone();
    badTrailer[value.length - 43] = 2;
    assertThrows(MalformedEncodingException.class, () -> StoredReceipt.decodeValue(badTrailer));
  }

  @Test
  void aStoredValueWithBytesAfterTheMarkerIsRefused() {
    PaymentReceipt r = Fixtures.receipt(gateway, 3);
    byte[] value = StoredReceipt.encodeValue(r.encode(), unsigned(r).encode());
    assertEquals(StoredReceipt.of(r, unsigned(r)), StoredReceipt.decodeValue(value));
    byte[] longer = Arrays.copyOf(value, value.length + 1);
    assertThrows(MalformedEncodingException.class, () -> StoredReceipt.decodeValue(longer));
    byte[] shorter = Arrays.copyOf(value, value.length - 1);
    assertThrows(MalformedEncodingException.class, () -> StoredReceipt.decodeValue(shorter));
  }
}
