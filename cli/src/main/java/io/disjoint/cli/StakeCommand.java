package io.disjoint.cli;

import io.disjoint.node.DataDir;
import io.disjoint.node.config.ConfigException;
import io.disjoint.node.ledger.LedgerTool;
import io.disjoint.node.ledger.Tokens;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.receipt.Account;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code disjoint stake ...}: a node's stake on the embedded ledger (one machine, testnets). */
@Command(name = "stake", mixinStandardHelpOptions = true,
    description = "Stake on the embedded ledger (a RocksDB directory): init, bond, unbond, status, deposit.",
    subcommands = {StakeCommand.Init.class, StakeCommand.Bond.class, StakeCommand.Unbond.class, StakeCommand.Status.class,
        StakeCommand.Deposit.class})
final class StakeCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: init, bond, unbond, status, deposit");
  }

  /** Which node: by peer id, or by the key in a node's data dir. */
  static final class NodeRef {
    @Option(names = "--node", paramLabel = "PEER_ID", description = "the node's peer id")
    String peerId;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the node's data dir (its node.key names the node)")
    Path dataDir;

    PeerId resolve() {
      if (peerId != null) {
        try {
          return PeerId.parse(peerId);
        } catch (RuntimeException e) {
          throw new ConfigException("--node expects a peer id such as 12D3KooW..., got '" + peerId + "'");
        }
      }
      Path key = new DataDir(dataDir).keyFile();
      if (!Files.exists(key)) {
        throw new ConfigException("--data-dir " + dataDir + " has no node.key (run the node once to create it)");
      }
      return KeyFiles.load(key).publicKey().peerId();
    }
  }

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Creates a ledger with testnet parameters (minimum stake 1000 tokens) and funded accounts.")
  static final class Init implements Callable<Integer> {
    @Option(names = "--ledger", required = true, paramLabel = "DIR") Path ledger;

    @Option(names = "--fund", paramLabel = "0xACCOUNT=TOKENS",
        description = "an account and its opening balance, repeatable; GATEWAY_DIR=TOKENS funds the payer account of the gateway key in that data dir")
    List<String> fund = List.of();

    @Option(names = "--reward-pool", paramLabel = "TOKENS", defaultValue = "0", description = "tokens set aside for claim rewards")
    String rewardPool;

    @Option(names = "--epoch-seconds", paramLabel = "N", defaultValue = "3600",
        description = "epoch length (default 3600); every node and gateway must run with the same --epoch-seconds")
    long epochSeconds;

    @Option(names = "--claim-window-seconds", paramLabel = "N", defaultValue = "600",
        description = "how long after an epoch claims are accepted (default 600; above 70, the wait for late receipts)")
    long claimWindowSeconds;

    @Option(names = "--proof-window-seconds", paramLabel = "N", defaultValue = "600",
        description = "how long after the claim window proofs are accepted (default 600)")
    long proofWindowSeconds;

    @Override
    public Integer call() {
      Map<Account, BigInteger> alloc = new LinkedHashMap<>();
      for (String f : fund) {
        int eq = f.indexOf('=');
        if (eq <= 0) {
          throw new ConfigException("--fund expects 0xACCOUNT=TOKENS, got '" + f + "'");
        }
        alloc.merge(fundedAccount(f.substring(0, eq)), Tokens.parse(f.substring(eq + 1), "--fund"), BigInteger::add);
      }
      io.disjoint.staking.ledger.LedgerParams params =
          LedgerTool.testnetParams(epochSeconds, claimWindowSeconds, proofWindowSeconds);
      try (LedgerTool t = LedgerTool.init(ledger, alloc, Tokens.parse(rewardPool, "--reward-pool"), params, Clock.systemUTC())) {
        System.out.println("ledger created in " + ledger + " with " + alloc.size() + " funded accounts; epochs of "
            + epochSeconds + " s, claim window " + claimWindowSeconds + " s, proof window " + proofWindowSeconds + " s");
      }
      return Main.OK;
    }
  }

  /** {@code 0x...} is an account; anything else a gateway's data dir, whose key's payer account is meant. */
  static Account fundedAccount(String accountOrDir) {
    if (accountOrDir.startsWith("0x")) {
      return LedgerTool.account(accountOrDir, "--fund");
    }
    Path key = new DataDir(Path.of(accountOrDir)).keyFile();
    if (!Files.exists(key)) {
      throw new ConfigException("--fund expects 0xACCOUNT=TOKENS or GATEWAY_DIR=TOKENS; " + accountOrDir
          + " is neither an account nor a data dir with a node.key");
    }
    return io.disjoint.node.payment.KeyDerivedSigners.accountOf(
        org.apache.tuweni.bytes.Bytes.wrap(KeyFiles.load(key).publicKey().marshal()));
  }

  @Command(name = "bond", mixinStandardHelpOptions = true, description = "Bonds stake from an owner account to a node.")
  static final class Bond implements Callable<Integer> {
    @Option(names = "--ledger", required = true, paramLabel = "DIR") Path ledger;
    @ArgGroup(exclusive = true, multiplicity = "1") NodeRef node;
    @Option(names = "--owner", required = true, paramLabel = "0xACCOUNT") String owner;
    @Option(names = "--amount", required = true, paramLabel = "TOKENS") String amount;

    @Override
    public Integer call() {
      PeerId id = node.resolve();
      try (LedgerTool t = LedgerTool.open(ledger, Clock.systemUTC())) {
        t.bond(LedgerTool.account(owner, "--owner"), id, Tokens.parse(amount, "--amount"));
        t.printStatus(id, System.out);
      }
      return Main.OK;
    }
  }

  @Command(name = "unbond", mixinStandardHelpOptions = true, description = "Starts unbonding stake (withdrawable after the unbonding period).")
  static final class Unbond implements Callable<Integer> {
    @Option(names = "--ledger", required = true, paramLabel = "DIR") Path ledger;
    @ArgGroup(exclusive = true, multiplicity = "1") NodeRef node;
    @Option(names = "--amount", required = true, paramLabel = "TOKENS") String amount;

    @Override
    public Integer call() {
      PeerId id = node.resolve();
      try (LedgerTool t = LedgerTool.open(ledger, Clock.systemUTC())) {
        t.unbond(id, Tokens.parse(amount, "--amount"));
        t.printStatus(id, System.out);
      }
      return Main.OK;
    }
  }

  @Command(name = "deposit", mixinStandardHelpOptions = true,
      description = {"The payer side of a gateway: authorizes the gateway's key to sign for its account (derived from",
          "the key) and moves tokens from that account's balance into its escrow, which vouchers are redeemed from."})
  static final class Deposit implements Callable<Integer> {
    @Option(names = "--ledger", required = true, paramLabel = "DIR") Path ledger;

    @Option(names = "--data-dir", required = true, paramLabel = "GATEWAY_DIR",
        description = "the gateway's data dir (its node.key signs receipts and vouchers)")
    Path dataDir;

    @Option(names = "--amount", required = true, paramLabel = "TOKENS", description = "tokens to escrow (0: only authorize)")
    String amount;

    @Override
    public Integer call() {
      Path key = new DataDir(dataDir).keyFile();
      if (!Files.exists(key)) {
        throw new ConfigException("--data-dir " + dataDir + " has no node.key (run the gateway once to create it)");
      }
      org.apache.tuweni.bytes.Bytes signer = org.apache.tuweni.bytes.Bytes.wrap(KeyFiles.load(key).publicKey().marshal());
      Account payer = io.disjoint.node.payment.KeyDerivedSigners.accountOf(signer);
      try (LedgerTool t = LedgerTool.open(ledger, Clock.systemUTC())) {
        boolean authorized = t.depositFor(payer, signer, Tokens.parse(amount, "--amount"));
        System.out.println("payer     " + payer.bytes().toHexString() + " (the account of the gateway key in " + dataDir + ")");
        System.out.println("signer    " + (authorized ? "authorized now" : "already authorized"));
        io.disjoint.staking.ledger.Escrow e = t.escrow(payer);
        System.out.println("escrow    " + Tokens.format(e.balance()) + (e.thawing().signum() > 0 ? " (+ " + Tokens.format(e.thawing()) + " thawing)" : ""));
        System.out.println("balance   " + Tokens.format(t.balance(payer)));
      }
      return Main.OK;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows a node's stake (opens the ledger read-only).")
  static final class Status implements Callable<Integer> {
    @Option(names = "--ledger", required = true, paramLabel = "DIR") Path ledger;
    @ArgGroup(exclusive = true, multiplicity = "1") NodeRef node;

    @Override
    public Integer call() {
      PeerId id = node.resolve();
      try (LedgerTool t = LedgerTool.openReadOnly(ledger, Clock.systemUTC())) {
        t.printStatus(id, System.out);
      }
      return Main.OK;
    }
  }
}
