package io.disjoint.staking.ledger;

import static io.disjoint.staking.testing.LedgerFixtures.OPERATOR;
import static io.disjoint.staking.testing.LedgerFixtures.OPERATOR_2;
import static io.disjoint.staking.testing.LedgerFixtures.OPERATOR_3;
import static io.disjoint.staking.testing.LedgerFixtures.REPORTER;
import static io.disjoint.staking.testing.LedgerFixtures.n;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.ledger.LedgerException.Reason;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.receipt.SignerDirectory.SignerStatus;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.LedgerFixtures;
import io.disjoint.staking.testing.MutableClock;
import io.disjoint.staking.voucher.Voucher;
import io.disjoint.staking.voucher.VoucherIssuer;
import io.disjoint.staking.voucher.VoucherMessages;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;

class LedgerRulesTest {
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final EmbeddedLedger ledger = EmbeddedLedger.inMemory(LedgerFixtures.genesis(), clock);
  private final BigInteger supply = ledger.totalSupply();
  private final Bytes node = Bytes.wrap(Fixtures.nodeKey().peerId().bytes());

  private static Reason reason(org.junit.jupiter.api.function.Executable e) {
    return assertThrows(LedgerException.class, e).reason();
  }

  private void conserved() {
    assertEquals(supply, ledger.totalSupply(), "tokens are neither created nor destroyed");
  }

  @Test
  void stakeHasAMinimumAndUnbondingPeriod() {
    Bytes32Hash before = new Bytes32Hash(ledger.stateHash().toHexString());
    assertEquals(Reason.BELOW_MINIMUM_STAKE, reason(() -> ledger.stake(OPERATOR, node, n(999))));
    assertEquals(before.hex(), ledger.stateHash().toHexString(), "a refused operation changes nothing");
    ledger.stake(OPERATOR, node, n(1500));
    assertEquals(n(8500), ledger.balance(OPERATOR));
    assertEquals(Reason.OWNER_MISMATCH, reason(() -> ledger.stake(OPERATOR_2, node, n(1000))));
    assertEquals(Reason.BELOW_MINIMUM_STAKE, reason(() -> ledger.unstake(node, n(600))));
    ledger.unstake(node, n(1500));
    assertEquals(Reason.STILL_LOCKED, reason(() -> ledger.withdrawUnbonded(node)));
    clock.advance(1_000);
    ledger.withdrawUnbonded(node);
    assertEquals(n(10_000), ledger.balance(OPERATOR));
    conserved();
  }

  private record Bytes32Hash(String hex) {}

  @Test
  void escrowThawsBeforeWithdrawal() {
    ledger.deposit(Fixtures.PAYER, n(5_000));
    assertEquals(Reason.INSUFFICIENT_BALANCE, reason(() -> ledger.thaw(Fixtures.PAYER, n(5_001))));
    ledger.thaw(Fixtures.PAYER, n(2_000));
    assertEquals(Reason.STILL_LOCKED, reason(() -> ledger.withdrawEscrow(Fixtures.PAYER)));
    clock.advance(2_000);
    ledger.withdrawEscrow(Fixtures.PAYER);
    assertEquals(new Escrow(n(3_000), BigInteger.ZERO, 0), ledger.escrow(Fixtures.PAYER));
    conserved();
  }

  @Test
  void signerRevocationTakesEffectAfterItsThaw() {
    Bytes key = Bytes.wrap(Fixtures.gatewayKey().publicKey().marshal());
    assertEquals(SignerStatus.UNKNOWN, ledger.signerStatus(Fixtures.PAYER, key, clock.millis()));
    ledger.authorizeSigner(Fixtures.PAYER, key);
    assertEquals(SignerStatus.ACTIVE, ledger.signerStatus(Fixtures.PAYER, key, clock.millis()));
    assertEquals(SignerStatus.UNKNOWN, ledger.signerStatus(OPERATOR, key, clock.millis()));
    assertEquals(Reason.SIGNER_BOUND_ELSEWHERE, reason(() -> ledger.authorizeSigner(OPERATOR, key)));
    ledger.revokeSigner(Fixtures.PAYER, key);
    assertEquals(SignerStatus.THAWING, ledger.signerStatus(Fixtures.PAYER, key, clock.millis() + 2_999));
    assertEquals(SignerStatus.REVOKED, ledger.signerStatus(Fixtures.PAYER, key, clock.millis() + 3_000));
  }

  private List<PaymentReceipt> receipts(ReceiptSigner signer, int from, int count) {
    List<PaymentReceipt> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      clock.advance(1);
      out.add(signer.issue(Fixtures.nodeKey().peerId(), "eip155:1", Fixtures.hash("q" + i), 20,
          n(100)));
    }
    return out;
  }

  @Test
  void redeemingPaysTheTotalMinusWhatWasPaidAndNeverLess() {
    ReceiptSigner signer = Fixtures.signer(clock, 1);
    VoucherIssuer issuer = new VoucherIssuer(Fixtures.gatewayKey(), Fixtures.DOMAIN, Fixtures.PAYER,
        clock, Duration.ofSeconds(60));
    ledger.stake(OPERATOR, node, n(1000));
    ledger.deposit(Fixtures.PAYER, n(1_000));
    ledger.authorizeSigner(Fixtures.PAYER, signer.signerKey());
    Voucher v1 = issuer.issue(Fixtures.nodeKey().peerId(),
        new VoucherMessages.Request(Optional.empty(), receipts(signer, 0, 3)));
    Voucher v2 = issuer.issue(Fixtures.nodeKey().peerId(),
        new VoucherMessages.Request(Optional.of(v1), receipts(signer, 3, 4)));
    assertEquals(n(300), v1.valueTotal());
    assertEquals(n(700), v2.valueTotal());
    assertEquals(n(300), ledger.redeemVoucher(v1));
    assertEquals(n(400), ledger.redeemVoucher(v2));
    assertEquals(n(9_700), ledger.balance(OPERATOR));
    assertEquals(Reason.VOUCHER_NOT_ABOVE_PAID, reason(() -> ledger.redeemVoucher(v1)),
        "an older, lower voucher pays nothing");
    assertEquals(Reason.VOUCHER_NOT_ABOVE_PAID, reason(() -> ledger.redeemVoucher(v2)), "no double pay");
    assertEquals(n(700), ledger.paid(Fixtures.PAYER, node));
    assertEquals(n(700), ledger.payouts(ledger.params().epochs().epochAt(clock.millis())).get(0).fees());

    byte[] sig = v2.signature().toArray();
    sig[3] ^= 1;
    assertEquals(Reason.BAD_SIGNATURE, reason(() -> ledger.redeemVoucher(v2.withSignature(Bytes.wrap(sig)))));
    conserved();
  }

  @Test
  void escrowLimitsWhatAVoucherCollectsAndTheRestCanFollow() {
    ReceiptSigner signer = Fixtures.signer(clock, 2);
    VoucherIssuer issuer = new VoucherIssuer(Fixtures.gatewayKey(), Fixtures.DOMAIN, Fixtures.PAYER,
        clock, Duration.ofSeconds(60));
    ledger.stake(OPERATOR, node, n(1000));
    ledger.deposit(Fixtures.PAYER, n(250));
    ledger.authorizeSigner(Fixtures.PAYER, signer.signerKey());
    Voucher v = issuer.issue(Fixtures.nodeKey().peerId(),
        new VoucherMessages.Request(Optional.empty(), receipts(signer, 0, 4)));
    assertEquals(n(250), ledger.redeemVoucher(v));
    assertEquals(Reason.INSUFFICIENT_BALANCE, reason(() -> ledger.redeemVoucher(v)));
    ledger.deposit(Fixtures.PAYER, n(1000));
    assertEquals(n(150), ledger.redeemVoucher(v));
    conserved();
  }

  @Test
  void vouchersOfUnknownOrRevokedSignersPayNothing() {
    ReceiptSigner signer = Fixtures.signer(clock, 3);
    VoucherIssuer issuer = new VoucherIssuer(Fixtures.gatewayKey(), Fixtures.DOMAIN, Fixtures.PAYER,
        clock, Duration.ofSeconds(60));
    ledger.stake(OPERATOR, node, n(1000));
    ledger.deposit(Fixtures.PAYER, n(1000));
    Voucher v = issuer.issue(Fixtures.nodeKey().peerId(),
        new VoucherMessages.Request(Optional.empty(), receipts(signer, 0, 2)));
    assertEquals(Reason.UNKNOWN_SIGNER, reason(() -> ledger.redeemVoucher(v)));
    ledger.authorizeSigner(Fixtures.PAYER, signer.signerKey());
    ledger.revokeSigner(Fixtures.PAYER, signer.signerKey());
    clock.advance(3_000);
    assertEquals(Reason.REVOKED_SIGNER, reason(() -> ledger.redeemVoucher(v)));
  }

  private static ResponseAttestation attest(PrivKey key, PaymentReceipt r, String response) {
    return new AttestationSigner(key, Fixtures.DOMAIN).attest(r, Fixtures.hash(response), 100,
        Fixtures.hash("block-100"));
  }

  @Test
  void twoConflictingAttestationsSlashTheNodeAndRewardTheReporter() {
    ledger.stake(OPERATOR, node, n(1000));
    ReceiptSigner signer = Fixtures.signer(clock, 4);
    PaymentReceipt r1 = signer.issue(Fixtures.nodeKey().peerId(), "eip155:1", Fixtures.hash("same"), 20, n(1));
    PaymentReceipt r2 = signer.issue(Fixtures.nodeKey().peerId(), "eip155:1", Fixtures.hash("same"), 20, n(1));
    ResponseAttestation a = attest(Fixtures.nodeKey(), r1, "answer-a");
    ResponseAttestation b = attest(Fixtures.nodeKey(), r2, "answer-b");
    ResponseAttestation same = attest(Fixtures.nodeKey(), r2, "answer-a");
    assertEquals(Reason.NOT_EVIDENCE, reason(() -> ledger.reportEquivocation(REPORTER, a, same)));
    ledger.reportEquivocation(REPORTER, a, b);
    NodeStake s = ledger.nodeStake(node).orElseThrow();
    assertEquals(n(600), s.staked());
    assertTrue(s.jailed());
    assertEquals(n(200), ledger.balance(REPORTER), "half of the 400 slash");
    assertEquals(Reason.EVIDENCE_ALREADY_USED, reason(() -> ledger.reportEquivocation(REPORTER, b, a)));
    conserved();
  }

  @Test
  void aQuorumOfStakedNodesProvesAWrongAnswerOnAPinnedBlock() {
    PrivKey k2 = Fixtures.key("node-2");
    PrivKey k3 = Fixtures.key("node-3");
    ledger.stake(OPERATOR, node, n(1000));
    ledger.stake(OPERATOR_2, Bytes.wrap(k2.peerId().bytes()), n(1000));
    ReceiptSigner signer = Fixtures.signer(clock, 5);
    PaymentReceipt r = signer.issue(Fixtures.nodeKey().peerId(), "eip155:1", Fixtures.hash("eth_call"), 20, n(1));
    ResponseAttestation lie = attest(Fixtures.nodeKey(), r, "tampered");
    ResponseAttestation honest2 = attest(k2, r, "truth");
    ResponseAttestation honest3 = attest(k3, r, "truth");
    assertEquals(Reason.NOT_EVIDENCE, reason(() -> ledger.reportWrongAnswer(REPORTER, lie, List.of(honest2))),
        "quorum too small");
    assertEquals(Reason.NOT_EVIDENCE, reason(() -> ledger.reportWrongAnswer(REPORTER, lie, List.of(honest2, honest3))),
        "node-3 has no stake");
    ledger.stake(OPERATOR_3, Bytes.wrap(k3.peerId().bytes()), n(1000));
    assertEquals(Reason.NOT_EVIDENCE, reason(() -> ledger.reportWrongAnswer(REPORTER, honest2, List.of(honest3, honest3))),
        "same answer is not evidence, duplicate voters neither");
    ledger.reportWrongAnswer(REPORTER, lie, List.of(honest2, honest3));
    assertEquals(n(700), ledger.nodeStake(node).orElseThrow().staked());
    assertEquals(n(150), ledger.balance(REPORTER));
    assertEquals(Reason.EVIDENCE_ALREADY_USED, reason(() -> ledger.reportWrongAnswer(REPORTER, lie, List.of(honest2, honest3))));
    conserved();
  }

  @Test
  void slashingReachesUnbondingFundsAndJailNeedsAnUnjail() {
    ledger.stake(OPERATOR, node, n(1000));
    ledger.unstake(node, n(1000));
    ReceiptSigner signer = Fixtures.signer(clock, 6);
    PaymentReceipt r1 = signer.issue(Fixtures.nodeKey().peerId(), "eip155:1", Fixtures.hash("x"), 1, n(1));
    ledger.reportEquivocation(REPORTER, attest(Fixtures.nodeKey(), r1, "a"), attest(Fixtures.nodeKey(), r1, "b"));
    assertEquals(n(600), ledger.nodeStake(node).orElseThrow().unbonding(), "unbonding is still at stake");
    ledger.stake(OPERATOR, node, n(1000));
    assertEquals(Reason.STILL_LOCKED, reason(() -> ledger.unjail(node)));
    clock.advance(5_000);
    ledger.unjail(node);
    assertTrue(!ledger.nodeStake(node).orElseThrow().jailed());
    conserved();
  }
}
