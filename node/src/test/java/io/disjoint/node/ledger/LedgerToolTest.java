package io.disjoint.node.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.node.config.ConfigException;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.receipt.Account;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerToolTest {
  private static final Account OWNER = Account.fromHex("0x" + "11".repeat(20));

  @Test
  void tokensParseAndFormat() {
    assertEquals(BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(1000)), Tokens.parse("1000", "--amount"));
    assertEquals(new BigInteger("500000000000000000"), Tokens.parse("0.5", "--amount"));
    assertEquals("1.5", Tokens.format(new BigInteger("1500000000000000000")));
    assertEquals("1000", Tokens.format(Tokens.parse("1000", "--amount")));
    for (String bad : new String[] {"-1", "abc", "0.0000000000000000001"}) {
      assertTrue(assertThrows(ConfigException.class, () -> Tokens.parse(bad, "--amount")).getMessage().startsWith("--amount"));
    }
  }

  @Test
  void bondUnbondAndStatusOnARealLedgerDirectory(@TempDir Path dir) {
    Clock clock = Clock.systemUTC();
    Path ledgerDir = dir.resolve("ledger");
    PeerId node = KeyFiles.loadOrCreate(dir.resolve("node.key"), KeyType.ED25519).publicKey().peerId();
    try (LedgerTool t = LedgerTool.init(ledgerDir, Map.of(OWNER, Tokens.parse("5000", "--fund")), Tokens.parse("100", "--reward-pool"), clock)) {
      assertEquals(Tokens.parse("5000", "x"), t.balance(OWNER));
    }
    assertThrows(ConfigException.class, () -> LedgerTool.init(ledgerDir, Map.of(), BigInteger.ZERO, clock),
        "an existing ledger is never overwritten");
    try (LedgerTool t = LedgerTool.open(ledgerDir, clock)) {
      ConfigException low = assertThrows(ConfigException.class, () -> t.bond(OWNER, node, Tokens.parse("10", "x")));
      assertTrue(low.getMessage().contains("BELOW_MINIMUM_STAKE"), low.getMessage());
      t.bond(OWNER, node, Tokens.parse("1200", "x"));
      assertEquals(Tokens.parse("1200", "x"), t.stake(node).orElseThrow().staked());
      assertEquals(Tokens.parse("3800", "x"), t.balance(OWNER));
      ConfigException tooMuch = assertThrows(ConfigException.class, () -> t.unbond(node, Tokens.parse("5000", "x")));
      assertTrue(tooMuch.getMessage().startsWith("the ledger refused"), tooMuch.getMessage());
      t.unbond(node, Tokens.parse("200", "x"));
      assertEquals(Tokens.parse("1000", "x"), t.stake(node).orElseThrow().staked());
      assertEquals(Tokens.parse("200", "x"), t.stake(node).orElseThrow().unbonding());
    }
    try (LedgerTool t = LedgerTool.openReadOnly(ledgerDir, clock)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      t.printStatus(node, new PrintStream(out, true, StandardCharsets.UTF_8));
      String text = out.toString(StandardCharsets.UTF_8);
      assertTrue(text.contains("staked    1000"), text);
      assertTrue(text.contains("unbonding 200 until"), text);
      out.reset();
      t.printPayouts(Optional.empty(), false, new PrintStream(out, true, StandardCharsets.UTF_8));
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("0 payout rows"));
    }
    assertTrue(assertThrows(ConfigException.class, () -> LedgerTool.openReadOnly(dir.resolve("none"), clock))
        .getMessage().startsWith("--ledger"));
  }
}
