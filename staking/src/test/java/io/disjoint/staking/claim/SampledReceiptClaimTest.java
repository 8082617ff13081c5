package io.disjoint.staking.claim;

import static io.disjoint.staking.testing.LedgerFixtures.OPERATOR;
import static io.disjoint.staking.testing.LedgerFixtures.n;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.ledger.ClaimState;
import io.disjoint.staking.ledger.EmbeddedLedger;
import io.disjoint.staking.ledger.LedgerException;
import io.disjoint.staking.merkle.MerkleSumTree;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.store.StoredReceipt;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.LedgerFixtures;
import io.disjoint.staking.testing.MutableClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claims over a store filled the way the sampled relay path fills it: attestations kept
 * unsigned, receipt signatures mostly unchecked, and one forged receipt (bad signature, huge
 * compute units so that the challenge would land on it) that escaped the sample. The claim
 * builder leaves the forged one out, and proofs sign their attestation at proof time.
 */
class SampledReceiptClaimTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final EmbeddedLedger ledger = EmbeddedLedger.inMemory(LedgerFixtures.genesis(), clock);
  private final Bytes node = Bytes.wrap(Fixtures.nodeKey().peerId().bytes());
  private final AttestationSigner attestations = new AttestationSigner(Fixtures.nodeKey(), Fixtures.DOMAIN);
  private ReceiptStore store;
  private PaymentReceipt forged;
  private long epoch;

  @BeforeEach
  void fill() throws Exception {
    store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS);
    ReceiptSigner signer = Fixtures.signer(clock, 11);
    ledger.authorizeSigner(Fixtures.PAYER, signer.signerKey());
    ledger.stake(OPERATOR, node, n(2000));
    for (int i = 0; i < 30; i++) {
      clock.advance(10);
      PaymentReceipt r = signer.issue(Fixtures.nodeKey().peerId(), "eip155:1", Fixtures.hash("req" + i), 40, n(5));
      store.append(r, unsignedAttestation(r)).get();
    }
    clock.advance(10);
    PaymentReceipt honest = signer.issue(Fixtures.nodeKey().peerId(), "eip155:1", Fixtures.hash("forged"), 1_000_000, n(0));
    byte[] sig = honest.signature().toArray();
    sig[0] ^= 1;
    forged = honest.withSignature(Bytes.wrap(sig));
    store.append(forged, unsignedAttestation(forged)).get();
    epoch = Fixtures.EPOCHS.epochAt(clock.millis());
  }

  private io.disjoint.staking.receipt.ResponseAttestation unsignedAttestation(PaymentReceipt r) {
    return attestations.unsigned(r, Fixtures.hash("answer-" + r.nonce()), 100, Fixtures.hash("block-100"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private List<Long> submitAndChallenge(EpochClaim claim) {
    clock.set(Fixtures.EPOCHS.endMs(epoch) + 1);
    ledger.submitClaim(claim);
    clock.set(Fixtures.EPOCHS.endMs(epoch) + ledger.params().claimWindowMs());
    ledger.tick();
    return ledger.challengePoints(epoch, node, Fixtures.PAYER);
  }

  private void settle() {
    clock.set(Fixtures.EPOCHS.endMs(epoch) + ledger.params().claimWindowMs() + ledger.params().proofWindowMs());
    ledger.tick();
  }

  @Test
  void aForgedReceiptThatEscapedTheSampleNeverReachesTheClaimAndProofsSignAtProofTime() {
    EpochClaimBuilder.Built built = EpochClaimBuilder.build(store, epoch, Fixtures.PAYER, node).orElseThrow();
    assertEquals(List.of(forged.id()), built.rejected());
    assertEquals(30, built.claim().leafCount());
    assertEquals(30 * 40, built.claim().root().sum(), "the forged receipt's units are not claimed");
    assertTrue(built.receipts().stream().noneMatch(s -> s.id().equals(forged.id())));
    assertTrue(built.receipts().stream().noneMatch(s -> s.attestation().isSigned()), "stored unsigned");

    List<Long> points = submitAndChallenge(built.claim());
    assertFalse(points.isEmpty());
    assertThrows(IllegalStateException.class, () -> EpochClaimBuilder.prove(built, 0, points.get(0)),
        "an unsigned attestation cannot go into a proof");
    ClaimProof proof = EpochClaimBuilder.prove(built, 0, points.get(0), attestations);
    assertTrue(proof.attestation().isSigned());
    ledger.submitProof(ClaimProof.decode(proof.encode()));
    settle();
    assertEquals(ClaimState.Status.REWARDED, ledger.claim(epoch, node, Fixtures.PAYER).orElseThrow().status());
  }

  @Test
  void hadTheForgedReceiptBeenClaimedTheNodeWouldBeSlashed() {
    // What the builder prevents: the same store claimed without the signature check.
    List<StoredReceipt> all = store.receipts(epoch, Fixtures.PAYER, -1, Integer.MAX_VALUE);
    List<SumNode> leaves = new ArrayList<>();
    for (StoredReceipt s : all) {
      leaves.add(SumNode.leaf(s.id(), s.attestation().id(), s.receipt().computeUnits()));
    }
    MerkleSumTree tree = MerkleSumTree.build(leaves);
    EpochClaimBuilder.Built careless = new EpochClaimBuilder.Built(
        new EpochClaim(epoch, node, Fixtures.PAYER, tree.root(), leaves.size()), tree, all,
        all.stream().map(s -> java.util.Optional.<io.disjoint.staking.receipt.BatchMembership>empty()).toList(), List.of());
    List<Long> points = submitAndChallenge(careless.claim());
    ClaimProof proof = EpochClaimBuilder.prove(careless, 0, points.get(0), attestations);
    assertEquals(forged.id(), proof.receipt().id(), "the challenge is weighted by units and lands on the forged leaf");
    LedgerException e = assertThrows(LedgerException.class, () -> ledger.submitProof(proof));
    assertEquals(LedgerException.Reason.BAD_SIGNATURE, e.reason(), e.getMessage());
    settle();
    assertEquals(ClaimState.Status.SLASHED, ledger.claim(epoch, node, Fixtures.PAYER).orElseThrow().status());
  }
}
