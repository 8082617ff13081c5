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
