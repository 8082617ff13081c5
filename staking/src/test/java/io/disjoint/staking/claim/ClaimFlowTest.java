package io.disjoint.staking.claim;

import static io.disjoint.staking.testing.LedgerFixtures.OPERATOR;
import static io.disjoint.staking.testing.LedgerFixtures.n;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.ledger.ClaimRules;
import io.disjoint.staking.ledger.ClaimState;
import io.disjoint.staking.ledger.EmbeddedLedger;
import io.disjoint.staking.ledger.LedgerException;
import io.disjoint.staking.ledger.LedgerException.Reason;
import io.disjoint.staking.ledger.LedgerParams;
import io.disjoint.staking.merkle.MerkleSumProof;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.LedgerFixtures;
import io.disjoint.staking.testing.MutableClock;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relay mining end to end: store -> claim -> seed after the window -> proofs -> settlement. */
class ClaimFlowTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final EmbeddedLedger ledger = EmbeddedLedger.inMemory(LedgerFixtures.genesis(), clock);
  private final Bytes node = Bytes.wrap(Fixtures.nodeKey().peerId().bytes());
  private final LedgerParams params = ledger.params();
  private ReceiptStore store;
  private long epoch;

  @BeforeEach
  void fill() throws Exception {
    store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS);
    ReceiptSigner signer = Fixtures.signer(clock, 9);
    ledger.authorizeSigner(Fixtures.PAYER, signer.signerKey());
    ledger.stake(OPERATOR, node, n(2000));
    for (int i = 0; i < 60; i++) {
      clock.advance(10);
      PaymentReceipt r = signer.issue(Fixtures.nodeKey().peerId(), "eip155:1",
          Fixtures.hash("req" + i), 10 + (i % 3) * 10, n(5));
      store.append(r, Fixtures.attest(r)).get();
    }
    epoch = Fixtures.EPOCHS.epochAt(clock.millis());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private EpochClaimBuilder.Built submit() {
    EpochClaimBuilder.Built built = EpochClaimBuilder.build(store, epoch, Fixtures.PAYER, node).orElseThrow();
    LedgerException early = assertThrows(LedgerException.class, () -> ledger.submitClaim(built.claim()));
    assertEquals(Reason.CLAIM_WINDOW, early.reason(), "no claims before the epoch ends");
    clock.set(Fixtures.EPOCHS.endMs(epoch) + 1);
    ledger.submitClaim(built.claim());
    assertEquals(Reason.DUPLICATE_CLAIM,
        assertThrows(LedgerException.class, () -> ledger.submitClaim(built.claim())).reason());
    assertTrue(ledger.epochSeed(epoch).isEmpty(), "no seed before the claim window closes");
    assertTrue(ledger.challengePoints(epoch, node, Fixtures.PAYER).isEmpty());
    clock.set(Fixtures.EPOCHS.endMs(epoch) + params.claimWindowMs());
    ledger.tick();
    assertTrue(ledger.epochSeed(epoch).isPresent());
    return built;
  }

  private void settle() {
    clock.set(Fixtures.EPOCHS.endMs(epoch) + params.claimWindowMs() + params.proofWindowMs());
    ledger.tick();
  }

  @Test
  void provenClaimIsRewardedByComputeUnits() {
    EpochClaimBuilder.Built built = submit();
    assertEquals(1200, built.claim().root().sum());
    List<Long> points = ledger.challengePoints(epoch, node, Fixtures.PAYER);
    assertEquals(1, points.size(), "above the threshold a proof is always required");
    ledger.submitProof(EpochClaimBuilder.prove(built, 0, points.get(0)));
    BigInteger before = ledger.balance(OPERATOR);
    settle();
    assertEquals(ClaimState.Status.REWARDED,
        ledger.claim(epoch, node, Fixtures.PAYER).orElseThrow().status());
    assertEquals(before.add(n(12_000)), ledger.balance(OPERATOR), "1200 CU x 10");
  }

  @Test
  void proofForTheWrongLeafIsRejected() {
    EpochClaimBuilder.Built built = submit();
    long point = ledger.challengePoints(epoch, node, Fixtures.PAYER).get(0);
    int right = built.tree().leafIndexAt(point);
    int wrong = right == 0 ? 1 : right - 1;
    var s = built.receipts().get(wrong);
    ClaimProof p = new ClaimProof(epoch, node, Fixtures.PAYER, 0, s.receipt(), s.attestation(),
        built.tree().proof(wrong));
    assertEquals(Reason.WRONG_LEAF,
        assertThrows(LedgerException.class, () -> ledger.submitProof(p)).reason());
  }

  @Test
  void tamperedPathsAndForeignReceiptsAreBadProofs() {
    EpochClaimBuilder.Built built = submit();
    long point = ledger.challengePoints(epoch, node, Fixtures.PAYER).get(0);
    ClaimProof good = EpochClaimBuilder.prove(built, 0, point);
    List<SumNode> siblings = new ArrayList<>(good.path().siblings());
    siblings.set(0, new SumNode(Bytes32.ZERO, siblings.get(0).sum()));
    ClaimProof tampered = new ClaimProof(epoch, node, Fixtures.PAYER, 0, good.receipt(),
        good.attestation(), new MerkleSumProof(good.path().leafIndex(), good.path().leafCount(), siblings));
    assertEquals(Reason.BAD_PROOF,
        assertThrows(LedgerException.class, () -> ledger.submitProof(tampered)).reason());
    ClaimProof unasked = new ClaimProof(epoch, node, Fixtures.PAYER, 1, good.receipt(),
        good.attestation(), good.path());
    assertEquals(Reason.PROOF_NOT_REQUIRED,
        assertThrows(LedgerException.class, () -> ledger.submitProof(unasked)).reason());
    ledger.submitProof(good);
    assertEquals(Reason.PROOF_NOT_REQUIRED,
        assertThrows(LedgerException.class, () -> ledger.submitProof(good)).reason(), "proven once");
  }

  @Test
  void missingProofVoidsTheClaimAndSlashes() {
    submit();
    BigInteger stakeBefore = ledger.nodeStake(node).orElseThrow().staked();
    BigInteger poolBefore = ledger.rewardPool();
    settle();
    ClaimState cs = ledger.claim(epoch, node, Fixtures.PAYER).orElseThrow();
    assertEquals(ClaimState.Status.SLASHED, cs.status());
    BigInteger slash = params.missingProofSlash(n(12_000), true);
    assertEquals(stakeBefore.subtract(slash), ledger.nodeStake(node).orElseThrow().staked());
    assertEquals(poolBefore.add(slash), ledger.rewardPool());
    assertTrue(ledger.nodeStake(node).orElseThrow().jailed());
    assertEquals(slash, ledger.payouts(ledger.params().epochs().epochAt(clock.millis())).get(0).slashed());
    EpochClaimBuilder.Built built = EpochClaimBuilder.build(store, epoch, Fixtures.PAYER, node).orElseThrow();
    assertEquals(Reason.PROOF_WINDOW, assertThrows(LedgerException.class,
        () -> ledger.submitProof(EpochClaimBuilder.prove(built, 0, 0))).reason(), "too late");
  }

  @Test
  void slashBelowTheThresholdMakesCheatingALossInExpectation() {
    BigInteger reward = n(1000);
    BigInteger s = params.missingProofSlash(reward, false);
    assertEquals(n(3000), s, "R (1 - p) / p with p = 25%");
    // expected value of a fake claim: (1 - p) R - p S <= 0
    BigInteger gain = reward.multiply(n(10_000 - params.proofProbabilityBps()));
    BigInteger loss = s.multiply(n(params.proofProbabilityBps()));
    assertTrue(loss.compareTo(gain) >= 0);
    assertEquals(params.minSlash(), params.missingProofSlash(BigInteger.ZERO, false));
  }

  @Test
  void belowTheThresholdClaimsAreChallengedWithProbabilityP() {
    int challenged = 0;
    int trials = 400;
    for (int i = 0; i < trials; i++) {
      EpochClaim c = new EpochClaim(i, node, Fixtures.PAYER, new SumNode(Bytes32.ZERO, 500), 5);
      Bytes32 seed = ClaimRules.seed(Bytes32.ZERO, i);
      if (ClaimRules.requiredChallenges(params, seed, c) > 0) {
        challenged++;
      }
    }
    assertTrue(challenged > 60 && challenged < 140, "about 25% of 400: " + challenged);
  }
}
