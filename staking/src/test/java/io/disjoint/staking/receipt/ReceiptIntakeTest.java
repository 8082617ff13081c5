package io.disjoint.staking.receipt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.ledger.EmbeddedLedger;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.LedgerFixtures;
import io.disjoint.staking.testing.MutableClock;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node-side path against a real ledger (signers) and a real store (replay, durability). */
class ReceiptIntakeTest {
  @TempDir Path dir;

  @Test
  void admitsChecksInParallelAndStoresOnlyGoodReceipts() throws Exception {
    MutableClock clock = new MutableClock(Fixtures.T0);
    ReceiptSigner signer = Fixtures.signer(clock, 31);
    EmbeddedLedger ledger = EmbeddedLedger.inMemory(LedgerFixtures.genesis(), clock);
    ledger.authorizeSigner(Fixtures.PAYER, signer.signerKey());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS)) {
      ReceiptVerifier verifier = new ReceiptVerifier(
          VerifierConfig.defaults(Fixtures.DOMAIN, Fixtures.EPOCHS), Fixtures.nodeKey().peerId(),
          ledger, new RecentReceiptIds(store::contains, clock, 10_000), store::unvoucheredValue,
          clock);
      ReceiptIntake intake = new ReceiptIntake(verifier, store, pool);

      PaymentReceipt good = Fixtures.receipt(signer, 1);
      ReceiptIntake.Admitted a = intake.admit(good, Optional.of(Fixtures.gatewayKey().peerId()));
      intake.record(a, Fixtures.attest(good)).get();
      assertTrue(store.contains(good.epoch(), good.id()));
      assertEquals(ReceiptRejectedException.Reason.REPLAY, assertThrows(ReceiptRejectedException.class,
          () -> intake.admit(good, Optional.empty())).reason());

      PaymentReceipt forged = Fixtures.receipt(signer, 2).withSignature(Bytes.wrap(new byte[64]));
      ReceiptIntake.Admitted f = intake.admit(forged, Optional.empty());
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> intake.record(f, Fixtures.attest(forged)).get());
      assertEquals(ReceiptRejectedException.Reason.BAD_SIGNATURE,
          ((ReceiptRejectedException) e.getCause()).reason());
      assertFalse(store.contains(forged.epoch(), forged.id()), "a forged receipt is never stored");
      assertEquals(good.value(), store.unvoucheredValue(Fixtures.PAYER));

      ledger.revokeSigner(Fixtures.PAYER, signer.signerKey());
      clock.advance(ledger.params().signerThawMs());
      assertEquals(ReceiptRejectedException.Reason.REVOKED_SIGNER, assertThrows(
          ReceiptRejectedException.class,
          () -> intake.admit(Fixtures.receipt(signer, 3), Optional.empty())).reason());
    } finally {
      pool.shutdownNow();
    }
  }
}
