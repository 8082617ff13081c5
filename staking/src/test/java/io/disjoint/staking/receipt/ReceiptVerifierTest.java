package io.disjoint.staking.receipt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.receipt.ReceiptRejectedException.Reason;
import io.disjoint.staking.receipt.SignerDirectory.SignerStatus;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.MutableClock;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;
import org.junit.jupiter.api.Test;

class ReceiptVerifierTest {
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final ReceiptSigner signer = Fixtures.signer(clock, 7);
  private final Map<Bytes, SignerStatus> statuses = new HashMap<>();
  private final Set<Bytes32> stored = new HashSet<>();
  private final Map<Account, BigInteger> unpaid = new HashMap<>();
  private final ReceiptVerifier verifier = new ReceiptVerifier(
      new VerifierConfig(Fixtures.DOMAIN, Fixtures.EPOCHS, Duration.ofSeconds(60),
          BigInteger.valueOf(5_000_000_000L)),
      Fixtures.nodeKey().peerId(),
      (payer, key, now) -> payer.equals(Fixtures.PAYER)
          ? statuses.getOrDefault(key, SignerStatus.UNKNOWN) : SignerStatus.UNKNOWN,
      new RecentReceiptIds((epoch, id) -> stored.contains(id), clock, 10_000),
      p -> unpaid.getOrDefault(p, BigInteger.ZERO),
      clock);

  ReceiptVerifierTest() {
    statuses.put(signer.signerKey(), SignerStatus.ACTIVE);
  }

  private Reason rejection(PaymentReceipt r) {
    return assertThrows(ReceiptRejectedException.class, () -> verifier.verify(r, Optional.empty()))
        .reason();
  }

  @Test
  void acceptsAValidReceiptAndReturnsItsId() {
    PaymentReceipt r = Fixtures.receipt(signer, 1);
    assertEquals(r.id(), verifier.verify(r, Optional.of(Fixtures.gatewayKey().peerId())));
  }

  @Test
  void rejectsBadSignature() {
    PaymentReceipt r = Fixtures.receipt(signer, 1);
    byte[] sig = r.signature().toArray();
    sig[10] ^= 1;
    assertEquals(Reason.BAD_SIGNATURE, rejection(r.withSignature(Bytes.wrap(sig))));
  }

  @Test
  void rejectsAChangedFieldUnderTheOriginalSignature() {
    PaymentReceipt r = Fixtures.receipt(signer, 1);
    PaymentReceipt inflated = new PaymentReceipt(r.domain(), r.payer(), r.signerKey(), r.nodeId(),
        r.chain(), r.epoch(), r.timestampMs(), r.nonce(), r.requestHash(), r.computeUnits(),
        r.value().add(BigInteger.ONE), r.signature());
    assertEquals(Reason.BAD_SIGNATURE, rejection(inflated));
  }

  @Test
  void rejectsWrongDomain() {
    ReceiptSigner other = new ReceiptSigner(Fixtures.gatewayKey(), new NetworkDomain("mainnet", 1),
        Fixtures.PAYER, Fixtures.EPOCHS, clock, new Random(1));
    assertEquals(Reason.WRONG_DOMAIN, rejection(Fixtures.receipt(other, 1)));
  }

  @Test
  void rejectsReceiptForAnotherNode() {
    PeerId someoneElse = Fixtures.key("node-2").peerId();
    PaymentReceipt r = signer.issue(someoneElse, "eip155:1", Fixtures.hash("q"), 10, BigInteger.ONE);
    assertEquals(Reason.WRONG_NODE, rejection(r));
  }

  @Test
  void rejectsReplayBeforeAndAfterStoring() {
    PaymentReceipt r = Fixtures.receipt(signer, 1);
    verifier.verify(r, Optional.empty());
    assertEquals(Reason.REPLAY, rejection(r));
    PaymentReceipt r2 = Fixtures.receipt(signer, 2);
    stored.add(r2.id());
    clock.advance(30_000); // past the in-memory horizon: only the durable lookup catches it
    assertEquals(Reason.REPLAY, rejection(r2));
  }

  @Test
  void rejectsStaleAndFutureTimestamps() {
    PaymentReceipt r = Fixtures.receipt(signer, 1);
    clock.advance(60_001);
    assertEquals(Reason.STALE_TIMESTAMP, rejection(r));
    clock.advance(-120_002);
    assertEquals(Reason.FUTURE_TIMESTAMP, rejection(r));
    clock.advance(60_001 + 60_000);
    assertEquals(r.id(), verifier.verify(r, Optional.empty()), "exactly at the window edge is fine");
  }

  @Test
  void rejectsUnknownAndRevokedSigners() {
    PaymentReceipt r = Fixtures.receipt(signer, 1);
    statuses.clear();
    assertEquals(Reason.UNKNOWN_SIGNER, rejection(r));
    statuses.put(signer.signerKey(), SignerStatus.REVOKED);
    assertEquals(Reason.REVOKED_SIGNER, rejection(r));
    statuses.put(signer.signerKey(), SignerStatus.THAWING);
    assertEquals(r.id(), verifier.verify(r, Optional.empty()), "a thawing signer is still valid");
  }

  @Test
  void rejectsSignerThatIsNotTheAuthenticatedSender() {
    PaymentReceipt r = Fixtures.receipt(signer, 1);
    ReceiptRejectedException e = assertThrows(ReceiptRejectedException.class,
        () -> verifier.checkPolicy(r, Optional.of(Fixtures.key("intruder").peerId())));
    assertEquals(Reason.SIGNER_NOT_SENDER, e.reason());
  }

  @Test
  void stopsServingAPayerOverItsLimitNamingPayerAndLimit() {
    unpaid.put(Fixtures.PAYER, BigInteger.valueOf(4_000_000_000L));
    PaymentReceipt r = Fixtures.receipt(signer, 1); // value 1_000_000_001 -> 5_000_000_001
    ReceiptRejectedException e = assertThrows(ReceiptRejectedException.class,
        () -> verifier.verify(r, Optional.empty()));
    assertEquals(Reason.PAYER_OVER_LIMIT, e.reason());
    assertTrue(e.getMessage().contains(Fixtures.PAYER.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("5000000000"), e.getMessage());
  }

  @Test
  void rejectsEpochThatDoesNotContainTheTimestamp() {
    PaymentReceipt r = Fixtures.receipt(signer, 1);
    PaymentReceipt moved = new PaymentReceipt(r.domain(), r.payer(), r.signerKey(), r.nodeId(),
        r.chain(), r.epoch() + 1, r.timestampMs(), r.nonce(), r.requestHash(), r.computeUnits(),
        r.value(), Bytes.EMPTY);
    moved = moved.withSignature(Bytes.wrap(Fixtures.gatewayKey().sign(moved.signingBytes())));
    assertEquals(Reason.WRONG_EPOCH, rejection(moved));
  }

  @Test
  void deferredSignatureCheckRunsOnAPoolAndFailsForForgeries() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      PaymentReceipt good = Fixtures.receipt(signer, 1);
      assertEquals(good, verifier.checkSignatureAsync(good, pool).get());
      PaymentReceipt forged = good.withSignature(Bytes.wrap(new byte[64]));
      CompletionException e = assertThrows(CompletionException.class,
          () -> verifier.checkSignatureAsync(forged, pool).join());
      assertEquals(Reason.BAD_SIGNATURE, ((ReceiptRejectedException) e.getCause()).reason());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void attestationMustBeByTheNodeForThisReceipt() {
    PaymentReceipt r = Fixtures.receipt(signer, 1);
    ResponseAttestation a = Fixtures.attest(r);
    ReceiptVerifier.checkAttestation(r, a);
    ResponseAttestation byOther = new AttestationSigner(Fixtures.key("node-2"), Fixtures.DOMAIN)
        .attest(r, Fixtures.hash("x"), 1, Fixtures.hash("b"));
    assertEquals(Reason.WRONG_NODE, assertThrows(ReceiptRejectedException.class,
        () -> ReceiptVerifier.checkAttestation(r, byOther)).reason());
    byte[] sig = a.signature().toArray();
    sig[0] ^= 1;
    assertEquals(Reason.BAD_SIGNATURE, assertThrows(ReceiptRejectedException.class,
        () -> ReceiptVerifier.checkAttestation(r, a.withSignature(Bytes.wrap(sig)))).reason());
    PaymentReceipt other = Fixtures.receipt(signer, 2);
    assertEquals(Reason.MALFORMED, assertThrows(ReceiptRejectedException.class,
        () -> ReceiptVerifier.checkAttestation(other, a)).reason());
  }
}
