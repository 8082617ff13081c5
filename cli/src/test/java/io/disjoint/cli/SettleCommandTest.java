package io.disjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.node.DataDir;
import io.disjoint.node.payment.KeyDerivedSigners;
import io.disjoint.node.payment.PaymentWiring;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code disjoint stake init/deposit/bond} and {@code disjoint settle} as an operator types them,
 * on a node data dir whose RocksDB store holds receipts (stamped ten minutes ago, 10 s epochs) and a
 * voucher from the gateway's issuer: the ledger's refusal with its reason and exit code 2, fees paid
 * once, the claim committed once, and errors that name the flag.
 */
class SettleCommandTest {
  private static final EpochSchedule EPOCHS = new EpochSchedule(0, 10_000);
  private static final String OWNER = "0x" + "0e".repeat(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Run(int code, String out, String err) {}

  private static Run disjoint(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.execute(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void settlesTheNodesReceiptsOnceAndReportsRefusals(@TempDir Path dir) throws Exception {
    Path gw = dir.resolve("gateway");
    Path node = dir.resolve("node");
    String ledger = dir.resolve("ledger").toString();
    BigInteger value = storeWithVoucher(gw, node);

    Run init = disjoint("stake", "init", "--ledger", ledger, "--fund", gw + "=10", "--fund", OWNER + "=2000",
        "--reward-pool", "100", "--epoch-seconds", "10", "--claim-window-seconds", "3600", "--proof-window-seconds", "600");
    assertEquals(0, init.code(), init::toString);
    assertTrue(init.out().contains("epochs of 10 s, claim window 3600 s"), init.out());
    Run deposit = disjoint("stake", "deposit", "--ledger", ledger, "--data-dir", gw.toString(), "--amount", "1");
    assertEquals(0, deposit.code(), deposit::toString);
    assertTrue(deposit.out().contains("authorized now") && deposit.out().contains("escrow    1"), deposit.out());

    Run unstaked = disjoint("settle", "--data-dir", node.toString(), "--ledger", ledger);
    assertEquals(Main.USAGE, unstaked.code(), unstaked::toString);
    assertTrue(unstaked.out().contains("refused") && unstaked.out().contains("NOT_STAKED"), unstaked.out());

    Run bond = disjoint("stake", "bond", "--ledger", ledger, "--data-dir", node.toString(), "--owner", OWNER, "--amount", "1000");
    assertEquals(0, bond.code(), bond::toString);

    Run first = disjoint("settle", "--data-dir", node.toString(), "--ledger", ledger, "--json");
    assertEquals(0, first.code(), first::toString);
    JsonNode paid = JSON.readTree(first.out());
    assertEquals(value.toString(), paid.get("paidWei").asText(), first.out());
    assertEquals(List.of("redeemed", "claimed"), actions(paid));

    Run second = disjoint("settle", "--data-dir", node.toString(), "--ledger", ledger, "--json");
    assertEquals(0, second.code(), second::toString);
    JsonNode again = JSON.readTree(second.out());
    assertEquals("0", again.get("paidWei").asText(), "nothing is paid twice: " + second.out());
    assertEquals(List.of("already_redeemed", "claim_open"), actions(again));

    Run table = disjoint("settle", "--data-dir", node.toString(), "--ledger", ledger);
    assertTrue(table.out().contains("already_redeemed") && table.out().contains("paid this run: 0 tokens"), table.out());

    Run payouts = disjoint("payouts", "--ledger", ledger, "--json");
    assertEquals(value.toString(), JSON.readTree(payouts.out()).get(0).get("feesWei").asText(), payouts.out());
  }

  @Test
  void errorsNameTheFlagToFix(@TempDir Path dir) {
    Run noLedger = disjoint("settle", "--data-dir", dir.toString());
    assertEquals(Main.USAGE, noLedger.code());
    assertTrue(noLedger.err().contains("--ledger"), noLedger.err());
    Run noKey = disjoint("settle", "--data-dir", dir.resolve("nothing").toString(), "--ledger", dir.resolve("l").toString());
    assertEquals(Main.USAGE, noKey.code());
    assertTrue(noKey.err().contains("--data-dir") && noKey.err().contains("node.key"), noKey.err());
    Run badEpoch = disjoint("stake", "init", "--ledger", dir.resolve("l").toString(), "--epoch-seconds", "0");
    assertEquals(Main.USAGE, badEpoch.code());
    assertTrue(badEpoch.err().contains("--epoch-seconds"), badEpoch.err());
    Run badFund = disjoint("stake", "init", "--ledger", dir.resolve("l").toString(), "--fund", dir + "=5");
    assertEquals(Main.USAGE, badFund.code());
    assertTrue(badFund.err().contains("--fund"), badFund.err());
  }

  private static List<String> actions(JsonNode result) {
    List<String> out = new ArrayList<>();
    result.get("steps").forEach(s -> out.add(s.get("action").asText()));
    return out;
  }

  /** Twelve receipts stamped ten minutes ago, attestations unsigned, and the gateway's voucher for them. */
  private static BigInteger storeWithVoucher(Path gatewayDir, Path nodeDir) throws Exception {
    PrivKey gatewayKey = KeyFiles.loadOrCreate(new DataDir(gatewayDir).keyFile(), KeyType.ED25519);
    DataDir node = new DataDir(nodeDir);
    PrivKey nodeKey = KeyFiles.loadOrCreate(node.keyFile(), KeyType.ED25519);
    PeerId nodePeer = nodeKey.publicKey().peerId();
    Account payer = KeyDerivedSigners.accountOf(Bytes.wrap(gatewayKey.publicKey().marshal()));
    long stamped = EPOCHS.startMs(EPOCHS.epochAt(System.currentTimeMillis() - 600_000)) + 1_000;
    ReceiptSigner signer = new ReceiptSigner(gatewayKey, PaymentWiring.NETWORK, payer, EPOCHS,
        Clock.fixed(Instant.ofEpochMilli(stamped), ZoneOffset.UTC), new Random(2));
    AttestationSigner attestations = new AttestationSigner(nodeKey, PaymentWiring.NETWORK);
    BigInteger value = BigInteger.ZERO;
    try (ReceiptStore store = ReceiptStore.open(node.receipts(), PaymentWiring.NETWORK.networkId(), StoreConfig.DEFAULTS)) {
      for (int i = 0; i < 12; i++) {
        BigInteger wei = PaymentWiring.PRICE_PER_COMPUTE_UNIT.multiply(BigInteger.valueOf(20));
        PaymentReceipt r = signer.issue(nodePeer, "eip155:31337", new byte[32], 20, wei);
        store.append(r, attestations.unsigned(r, new byte[32], 16, new byte[32])).get();
        value = value.add(wei);
      }
      VoucherCollector collector = new VoucherCollector(store, Bytes.wrap(nodePeer.bytes()), BigInteger.ONE,
          Duration.ofSeconds(70), Clock.systemUTC());
      VoucherCollector.PendingVoucher pending = collector.prepare(payer).orElseThrow();
      collector.accept(pending, new VoucherService(new VoucherIssuer(gatewayKey, PaymentWiring.NETWORK, payer,
          Clock.systemUTC(), Duration.ofSeconds(5))).handle(pending.request(), nodePeer));
    }
    return value;
  }
}
