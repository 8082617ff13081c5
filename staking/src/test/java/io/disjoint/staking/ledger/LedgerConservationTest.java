package io.disjoint.staking.ledger;

import static io.disjoint.staking.testing.LedgerFixtures.n;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.claim.EpochClaim;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ResponseAttestation;
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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Whatever sequence of operations runs (most of them refused), the ledger never creates or
 * destroys a token, and its log replays to the same state hash.
 */
class LedgerConservationTest {
  private static final List<Account> ACCOUNTS = List.of(LedgerFixtures.OPERATOR,
      LedgerFixtures.OPERATOR_2, LedgerFixtures.OPERATOR_3, Fixtures.PAYER, LedgerFixtures.REPORTER);
  private static final List<PrivKey> NODE_KEYS =
      List.of(Fixtures.nodeKey(), Fixtures.key("node-2"), Fixtures.key("node-3"));
  private static final List<Bytes> NODES =
      NODE_KEYS.stream().map(k -> Bytes.wrap(k.peerId().bytes())).toList();
  private static final List<Voucher> VOUCHERS = new ArrayList<>();
  private static final List<ResponseAttestation[]> EQUIVOCATIONS = new ArrayList<>();
  private static final Bytes SIGNER = Bytes.wrap(Fixtures.gatewayKey().publicKey().marshal());

  static {
    MutableClock clock = new MutableClock(Fixtures.T0);
    ReceiptSigner signer = Fixtures.signer(clock, 77);
    VoucherIssuer issuer = new VoucherIssuer(Fixtures.gatewayKey(), Fixtures.DOMAIN, Fixtures.PAYER,
        clock, Duration.ofDays(1));
    Optional<Voucher> prev = Optional.empty();
    for (int b = 0; b < 3; b++) {
      List<PaymentReceipt> batch = new ArrayList<>();
      for (int i = 0; i <= b; i++) {
        clock.advance(1);
        batch.add(signer.issue(NODE_KEYS.get(0).peerId(), "eip155:1", Fixtures.hash("v" + b + i), 10, n(400)));
      }
      Voucher v = issuer.issue(NODE_KEYS.get(0).peerId(), new VoucherMessages.Request(prev, batch));
      VOUCHERS.add(v);
      prev = Optional.of(v);
    }
    for (PrivKey k : NODE_KEYS) {
      PaymentReceipt r = signer.issue(k.peerId(), "eip155:1", Fixtures.hash("eq"), 1, n(1));
      AttestationSigner a = new AttestationSigner(k, Fixtures.DOMAIN);
      EQUIVOCATIONS.add(new ResponseAttestation[] {
          a.attest(r, Fixtures.hash("x"), 5, Fixtures.hash("b5")),
          a.attest(r, Fixtures.hash("y"), 5, Fixtures.hash("b5"))});
    }
  }

  private static final String[] ACTIONS = {"transfer", "stake", "unstake", "withdrawUnbonded",
      "unjail", "deposit", "thaw", "withdrawEscrow", "redeem", "claim", "equivocation", "tick"};

  /** One random operation: which, two small indexes, an amount, a time step. */
  record Cmd(int action, int i, int j, long amount, long advanceMs) {}

  @Provide
  Arbitrary<List<Cmd>> commands() {
    Arbitrary<Cmd> cmd = Combinators.combine(
        Arbitraries.integers().between(0, 11),
        Arbitraries.integers().between(0, 4),
        Arbitraries.integers().between(0, 2),
        Arbitraries.longs().between(0, 3_000),
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(0, 5_000)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(60_000, 2_400_000))))
        .as(Cmd::new);
    return cmd.list().ofMinSize(20).ofMaxSize(80);
  }

  @Property(tries = 200, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
  void totalSupplyIsConstantAndTheLogReplays(@ForAll("commands") List<Cmd> cmds) {
    MutableClock clock = new MutableClock(Fixtures.T0);
    EmbeddedLedger ledger = EmbeddedLedger.inMemory(LedgerFixtures.genesis(), clock);
    BigInteger supply = ledger.totalSupply();
    ledger.authorizeSigner(Fixtures.PAYER, SIGNER);
    for (Cmd c : cmds) {
      clock.advance(c.advanceMs());
      try {
        run(ledger, clock, c);
        Statistics.label("applied").collect(ACTIONS[c.action()]);
      } catch (LedgerException refused) {
        // refused operations are part of the property: they must change nothing
      }
      assertEquals(supply, ledger.totalSupply(), "after " + c);
    }
    assertEquals(ledger.stateHash(), EmbeddedLedger.replay(ledger.log()));
    for (Payout p : ledger.payouts()) {
      Statistics.label("settled").collect(p.rewards().signum() > 0 ? "rewarded"
          : p.slashed().signum() > 0 ? "slashed" : "fees");
    }
  }

  private static void run(EmbeddedLedger ledger, MutableClock clock, Cmd c) {
    BigInteger amount = n(c.amount());
    Account a = ACCOUNTS.get(c.i());
    Bytes node = NODES.get(c.j());
    switch (c.action()) {
      case 0 -> ledger.transfer(a, ACCOUNTS.get((c.i() + c.j() + 1) % ACCOUNTS.size()), amount);
      case 1 -> ledger.stake(a, node, amount);
      case 2 -> ledger.unstake(node, amount);
      case 3 -> ledger.withdrawUnbonded(node);
      case 4 -> ledger.unjail(node);
      case 5 -> ledger.deposit(Fixtures.PAYER, amount);
      case 6 -> ledger.thaw(Fixtures.PAYER, amount);
      case 7 -> ledger.withdrawEscrow(Fixtures.PAYER);
      case 8 -> ledger.redeemVoucher(VOUCHERS.get(c.j()));
      case 9 -> {
        long epoch = Math.max(0, ledger.params().epochs().epochAt(clock.millis()) - 1);
        ledger.submitClaim(new EpochClaim(epoch, node, Fixtures.PAYER,
            new SumNode(Bytes32.ZERO, c.amount()), 1 + c.i()));
      }
      case 10 -> ledger.reportEquivocation(a, EQUIVOCATIONS.get(c.j())[0], EQUIVOCATIONS.get(c.j())[1]);
      default -> ledger.tick();
    }
  }
}
