package io.disjoint.node.settle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.node.DataDir;
import io.disjoint.node.config.ConfigException;
import io.disjoint.node.ledger.LedgerTool;
import io.disjoint.node.payment.KeyDerivedSigners;
import io.disjoint.node.payment.PaymentWiring;
import io.disjoint.node.settle.SettlementStep.Action;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.ledger.LedgerParams;
import io.disjoint.staking.ledger.Payout;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.voucher.VoucherCollector;
import io.disjoint.staking.voucher.VoucherIssuer;
import io.disjoint.staking.voucher.VoucherService;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Settlement of a node's receipt store (real RocksDB, receipts signed by a real gateway key,
 * attestations stored unsigned, a voucher issued by the gateway's own issuer) on an embedded
 * ledger on disk whose clock the test moves, so claim and proof windows pass without sleeping.
 * The end-to-end run over real hosts and real time is {@code SettlementE2ETest}.
 */
class SettlementTest {
  private static final EpochSchedule EPOCHS = new EpochSchedule(0, 10_000);
  private static final BigInteger TOKEN = BigInteger.TEN.pow(18);
  private static final Account OWNER = Account.fromHex("0x" + "0e".repeat(20));
  private static final int RECEIPTS = 20;

  @TempDir Path dir;
  private final MovableClock ledgerClock = new MovableClock();
  private DataDir node;
  private Path ledgerDir;
  private PrivKey gatewayKey;
  private PeerId nodePeer;
  private Account payer;
  private long epoch;
  private long computeUnits;
  private BigInteger value = BigInteger.ZERO;

  @BeforeEach
  void storeWithVoucheredReceipts() throws Exception {
    node = new DataDir(dir.resolve("node"));
    ledgerDir = dir.resolve("ledger");
    gatewayKey = KeyFiles.loadOrCreate(dir.resolve("gw.key"), KeyType.ED25519);
    PrivKey nodeKey = KeyFiles.loadOrCreate(node.keyFile(), KeyType.ED25519);
    nodePeer = nodeKey.publicKey().peerId();
    payer = KeyDerivedSigners.accountOf(Bytes.wrap(gatewayKey.publicKey().marshal()));
    // receipts stamped one second into an epoch that began ten minutes ago
    long stamped = EPOCHS.startMs(EPOCHS.epochAt(System.currentTimeMillis() - 600_000)) + 1_000;
    epoch = EPOCHS.epochAt(stamped);
    Clock then = Clock.fixed(Instant.ofEpochMilli(stamped), ZoneOffset.UTC);
    ReceiptSigner signer = new ReceiptSigner(gatewayKey, PaymentWiring.NETWORK, payer, EPOCHS, then, new Random(1));
    AttestationSigner attestations = new AttestationSigner(nodeKey, PaymentWiring.NETWORK);
    try (ReceiptStore store = ReceiptStore.open(node.receipts(), PaymentWiring.NETWORK.networkId(), StoreConfig.DEFAULTS)) {
      for (int i = 0; i < RECEIPTS; i++) {
        long cu = 10 + 10 * (i % 3);
        BigInteger wei = PaymentWiring.PRICE_PER_COMPUTE_UNIT.multiply(BigInteger.valueOf(cu));
        PaymentReceipt r = signer.issue(nodePeer, "eip155:31337", new byte[32], cu, wei);
        // lazy attestations: stored unsigned, signed by settle when a proof needs one
        store.append(r, attestations.unsigned(r, new byte[32], 16, new byte[32])).get();
        computeUnits += cu;
        value = value.add(wei);
      }
      VoucherCollector collector = new VoucherCollector(store, Bytes.wrap(nodePeer.bytes()), BigInteger.ONE,
          Duration.ofSeconds(70), Clock.systemUTC());
      VoucherCollector.PendingVoucher pending = collector.prepare(payer).orElseThrow();
      VoucherService gateway = new VoucherService(new VoucherIssuer(gatewayKey, PaymentWiring.NETWORK, payer,
          Clock.systemUTC(), Duration.ofSeconds(5)));
      collector.accept(pending, gateway.handle(pending.request(), nodePeer));
    }
  }

  /** A ledger with the short test schedule whose every claim must prove two leaves. */
  private void createLedger(EpochSchedule epochs, long claimWindowMs, boolean bond) {
    LedgerParams t = LedgerTool.testnetParams(epochs.lengthMs() / 1000, claimWindowMs / 1000, 30);
    LedgerParams params = new LedgerParams(t.domain(), epochs, t.minStake(), t.unbondingMs(), t.jailMs(),
        t.escrowThawMs(), t.signerThawMs(), t.claimWindowMs(), t.proofWindowMs(), 0, t.proofProbabilityBps(), 2,
        t.rewardPerComputeUnit(), t.minSlash(), t.equivocationSlash(), t.wrongAnswerSlash(), t.reporterRewardBps(),
        t.quorumSize());
    ledgerClock.set(EPOCHS.endMs(epoch) + 1_000);
    try (LedgerTool l = LedgerTool.init(ledgerDir, Map.of(payer, TOKEN.multiply(BigInteger.TEN),
        OWNER, TOKEN.multiply(BigInteger.valueOf(2000))), TOKEN.multiply(BigInteger.valueOf(100)), params, ledgerClock)) {
      assertTrue(l.depositFor(payer, Bytes.wrap(gatewayKey.publicKey().marshal()), TOKEN), "gateway key authorized");
      if (bond) {
        l.bond(OWNER, nodePeer, TOKEN.multiply(BigInteger.valueOf(1000)));
      }
    }
  }

  private SettleTool.Result settleAt(long msAfterEpochEnd) {
    ledgerClock.set(EPOCHS.endMs(epoch) + msAfterEpochEnd);
    return SettleTool.run(node, ledgerDir, OptionalLong.empty(), ledgerClock);
  }

  private static List<Action> actions(SettleTool.Result r) {
    return r.steps().stream().map(SettlementStep::action).toList();
  }

  @Test
  void redeemsClaimsProvesAndIsPaidOnceEvenWhenRunAgain() {
    createLedger(EPOCHS, 120_000, true);
    SettleTool.Result early = settleAt(30_000);
    assertEquals(List.of(Action.REDEEMED, Action.WAITING), actions(early), early::toString);
    assertEquals(value, early.redeemedWei(), "the voucher's total: every receipt's value");

    SettleTool.Result claimed = settleAt(80_000);
    assertEquals(List.of(Action.ALREADY_REDEEMED, Action.CLAIMED), actions(claimed), claimed::toString);
    assertEquals(BigInteger.ZERO, claimed.redeemedWei(), "the same voucher pays nothing twice");
    assertTrue(claimed.steps().get(1).detail().startsWith(RECEIPTS + " receipts, " + computeUnits + " compute units"),
        claimed.steps().get(1).detail());
    assertEquals(List.of(Action.ALREADY_REDEEMED, Action.CLAIM_OPEN), actions(settleAt(90_000)), "claimed once");

    SettleTool.Result proven = settleAt(121_000);
    assertEquals(List.of(Action.ALREADY_REDEEMED, Action.PROVEN, Action.PROVEN), actions(proven), proven::toString);
    assertEquals(List.of(Action.ALREADY_REDEEMED, Action.CLAIM_OPEN), actions(settleAt(125_000)), "proven once");

    SettleTool.Result settled = settleAt(151_000);
    assertEquals(List.of(Action.ALREADY_REDEEMED, Action.REWARDED), actions(settled), settled::toString);
    assertEquals(settled.steps(), settleAt(200_000).steps(), "a later run finds everything done");
    try (LedgerTool l = LedgerTool.openReadOnly(ledgerDir, ledgerClock)) {
      List<Payout> payouts = l.payouts(java.util.Optional.empty());
      payouts.forEach(p -> assertEquals(Bytes.wrap(nodePeer.bytes()), p.nodeId(), "only this node was paid"));
      assertEquals(value, payouts.stream().map(Payout::fees).reduce(BigInteger.ZERO, BigInteger::add),
          "fees booked when the voucher was redeemed");
      BigInteger rewards = l.payouts(java.util.Optional.empty()).stream().map(Payout::rewards)
          .reduce(BigInteger.ZERO, BigInteger::add);
      assertEquals(l.ledger().params().rewardPerComputeUnit().multiply(BigInteger.valueOf(computeUnits)), rewards);
      assertEquals(TOKEN.subtract(value), l.escrow(payer).total(), "escrow went down by exactly the fees");
      assertEquals(TOKEN.multiply(BigInteger.valueOf(1000)).add(value).add(rewards), l.balance(OWNER),
          "the owner has what it did not stake, plus fees and rewards");
      assertFalse(l.stake(nodePeer).orElseThrow().jailed(), "every required proof was in");
    }
  }

  @Test
  void aReceiptAlteredOnDiskIsLeftOutOfTheClaimAndEarnsNoReward() throws Exception {
    long alteredUnits = inflateComputeUnitsOfFirstReceipt(1_000);
    createLedger(EPOCHS, 120_000, true);
    SettleTool.Result claimed = settleAt(80_000);
    assertEquals(List.of(Action.REDEEMED, Action.CLAIMED), actions(claimed), claimed::toString);
    assertTrue(claimed.steps().get(1).detail().startsWith((RECEIPTS - 1) + " receipts, "
        + (computeUnits - alteredUnits) + " compute units; 1 receipt(s) left out"), claimed.steps().get(1).detail());
    settleAt(121_000);
    SettleTool.Result settled = settleAt(151_000);
    assertEquals(List.of(Action.ALREADY_REDEEMED, Action.REWARDED), actions(settled), settled::toString);
    try (LedgerTool l = LedgerTool.openReadOnly(ledgerDir, ledgerClock)) {
      BigInteger rewards = l.payouts(java.util.Optional.empty()).stream().map(Payout::rewards)
          .reduce(BigInteger.ZERO, BigInteger::add);
      assertEquals(l.ledger().params().rewardPerComputeUnit().multiply(BigInteger.valueOf(computeUnits - alteredUnits)),
          rewards, "no reward for the altered receipt, neither its old nor its inflated units");
      assertEquals(value, l.payouts(java.util.Optional.empty()).stream().map(Payout::fees)
          .reduce(BigInteger.ZERO, BigInteger::add), "fees are what the gateway vouched for before the change");
    }
  }

  @Test
  void aStoreAlteredAfterTheClaimCannotProveAndTheLedgerSlashes() throws Exception {
    createLedger(EPOCHS, 120_000, true);
    assertEquals(List.of(Action.REDEEMED, Action.CLAIMED), actions(settleAt(80_000)));
    inflateComputeUnitsOfFirstReceipt(5);
    SettleTool.Result proving = settleAt(121_000);
    assertEquals(List.of(Action.ALREADY_REDEEMED, Action.FAILED), actions(proving), proving::toString);
    assertTrue(proving.failed());
    SettleTool.Result settled = settleAt(151_000);
    assertEquals(List.of(Action.ALREADY_REDEEMED, Action.SLASHED), actions(settled), settled::toString);
    try (LedgerTool l = LedgerTool.openReadOnly(ledgerDir, ledgerClock)) {
      assertTrue(l.stake(nodePeer).orElseThrow().jailed(), "a missing proof jails the node");
      assertTrue(l.payouts(java.util.Optional.empty()).stream().anyMatch(p -> p.slashed().signum() > 0));
    }
  }

  @Test
  void theLedgersRefusalIsReportedWithItsReason() {
    createLedger(EPOCHS, 120_000, false);
    SettleTool.Result r = settleAt(80_000);
    assertEquals(List.of(Action.REFUSED, Action.REFUSED), actions(r), r::toString);
    assertTrue(r.refused());
    r.steps().forEach(s -> assertTrue(s.detail().contains("NOT_STAKED"), s.detail()));
    assertEquals(BigInteger.ZERO, r.redeemedWei());
  }

  @Test
  void aLedgerWithOtherEpochsOrATooShortClaimWindowIsRefusedNamingTheFlag() {
    createLedger(new EpochSchedule(0, 7_000), 120_000, true);
    ConfigException epochs = assertThrows(ConfigException.class, () -> settleAt(80_000));
    assertTrue(epochs.getMessage().contains("--epoch-seconds"), epochs.getMessage());
    assertTrue(epochs.getMessage().contains("7 s"), epochs.getMessage());
    try (LedgerTool l = LedgerTool.openReadOnly(ledgerDir, ledgerClock)) {
      assertEquals(TOKEN, l.escrow(payer).total(), "nothing was redeemed");
    }
  }

  @Test
  void aClaimWindowNoLongerThanTheLateReceiptWaitIsRefusedNamingTheFlag() {
    createLedger(EPOCHS, 60_000, true);
    ConfigException e = assertThrows(ConfigException.class, () -> settleAt(30_000));
    assertTrue(e.getMessage().contains("--claim-window-seconds"), e.getMessage());
  }

  @Test
  void anEpochWithoutReceiptsIsAnErrorNamingTheFlagAndNothingIsDone() {
    createLedger(EPOCHS, 120_000, true);
    ledgerClock.set(EPOCHS.endMs(epoch) + 80_000);
    ConfigException e = assertThrows(ConfigException.class,
        () -> SettleTool.run(node, ledgerDir, OptionalLong.of(epoch + 1), ledgerClock));
    assertTrue(e.getMessage().startsWith("--epoch " + (epoch + 1)), e.getMessage());
    SettleTool.Result only = SettleTool.run(node, ledgerDir, OptionalLong.of(epoch), ledgerClock);
    assertEquals(List.of(Action.REDEEMED, Action.CLAIMED), actions(only), only::toString);
  }

  @Test
  void theTableFoldsManyFinalClaimsIntoOneLine() {
    List<SettlementStep> steps = new ArrayList<>();
    steps.add(new SettlementStep(OptionalLong.empty(), payer, Action.REDEEMED, BigInteger.TEN, "voucher 3"));
    for (int i = 0; i < 13; i++) {
      steps.add(new SettlementStep(OptionalLong.of(i), payer, i == 0 ? Action.NOT_CLAIMED : Action.REWARDED,
          BigInteger.ZERO, "final " + i));
    }
    steps.add(new SettlementStep(OptionalLong.of(99), payer, Action.CLAIMED, BigInteger.ZERO, "new claim"));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    SettleTool.printTable(new SettleTool.Result(nodePeer, 0, steps), new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
    String table = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("voucher 3") && table.contains("new claim"), table);
    assertFalse(table.contains("final 5"), table);
    assertTrue(table.contains("13 (epoch, payer) claims are final: 12 rewarded, 1 not_claimed"), table);
    assertEquals(6, table.lines().count(), "title, header, two steps, the folded line, the total: " + table);
  }

  @Test
  void testnetParamsErrorsNameTheFlag() {
    assertTrue(assertThrows(ConfigException.class, () -> LedgerTool.testnetParams(0, 600, 600)).getMessage()
        .startsWith("--epoch-seconds"));
    assertTrue(assertThrows(ConfigException.class, () -> LedgerTool.testnetParams(3600, 0, 600)).getMessage()
        .startsWith("--claim-window-seconds"));
    LedgerParams p = LedgerTool.testnetParams(3600, 600, 600);
    assertEquals(LedgerParams.testnet(PaymentWiring.NETWORK), p, "the defaults are the testnet parameters");
    assertFalse(p.equals(LedgerTool.testnetParams(60, 600, 600)));
  }

  /**
   * Rewrites, in the store's RocksDB directly (the node stopped), the compute units inside the
   * first stored receipt's signed bytes: what an operator inflating a receipt, or a bad disk, does.
   * Returns the receipt's original compute units.
   */
  private long inflateComputeUnitsOfFirstReceipt(long extra) throws Exception {
    String path = node.receipts().toString();
    List<byte[]> names;
    try (Options o = new Options()) {
      names = RocksDB.listColumnFamilies(o, path);
    }
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    names.forEach(n -> descriptors.add(new ColumnFamilyDescriptor(n)));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.open(options, path, descriptors, handles)) {
      try {
        ColumnFamilyHandle receipts = null;
        for (int i = 0; i < names.size(); i++) {
          if (new String(names.get(i), StandardCharsets.US_ASCII).equals("receipts")) {
            receipts = handles.get(i);
          }
        }
        try (RocksIterator it = db.newIterator(receipts)) {
          it.seekToFirst();
          byte[] key = it.key();
          byte[] stored = it.value();
          int receiptLength = ByteBuffer.wrap(stored, 0, 2).getShort() & 0xffff;
          byte[] wire = java.util.Arrays.copyOfRange(stored, 2, 2 + receiptLength);
          int unitsAt = 2 + PaymentReceipt.decodeMaybeBatched(wire).signingBytes().length - 40;
          long units = ByteBuffer.wrap(stored, unitsAt, 8).getLong();
          ByteBuffer.wrap(stored, unitsAt, 8).putLong(units + extra);
          db.put(receipts, key, stored);
          return units;
        }
      } finally {
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
  }

  /** The ledger's clock, moved by the test. */
  private static final class MovableClock extends Clock {
    private volatile long ms;

    void set(long millis) {
      ms = millis;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(ms);
    }
  }
}
