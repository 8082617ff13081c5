package io.disjoint.node.settle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.node.DataDir;
import io.disjoint.node.config.ConfigException;
import io.disjoint.node.ledger.LedgerTool;
import io.disjoint.node.ledger.Tokens;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreOpenException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.apache.tuweni.bytes.Bytes;

/**
 * What {@code disjoint settle} does: opens the node's receipt store read-only (so the node keeps
 * running), its key (to sign the attestations proofs need) and the embedded ledger for writing
 * (one process at a time: RocksDB's lock refuses a second one), runs one {@link Settlement} pass
 * and prints what it did.
 */
public final class SettleTool {
  private SettleTool() {}

  /** The outcome of one pass, for printing and the exit code. */
  public record Result(PeerId node, long ledgerTimeMs, List<SettlementStep> steps) {
    public Result {
      steps = List.copyOf(steps);
    }

    /** Fees this pass moved to the node's owner. */
    public BigInteger redeemedWei() {
      return steps.stream().map(SettlementStep::amountWei).reduce(BigInteger.ZERO, BigInteger::add);
    }

    public boolean refused() {
      return steps.stream().anyMatch(s -> s.action() == SettlementStep.Action.REFUSED);
    }

    public boolean failed() {
      return steps.stream().anyMatch(s -> s.action() == SettlementStep.Action.FAILED);
    }
  }

  /** One settlement pass for the node in {@code dataDir} on the ledger in {@code ledgerDir}. */
  public static Result run(DataDir dataDir, Path ledgerDir, OptionalLong epoch, Clock clock) {
    if (!Files.exists(dataDir.keyFile())) {
      throw new ConfigException("--data-dir " + dataDir.root() + " has no node.key (the node's key signs the"
          + " attestations its proofs carry; point --data-dir at the node's data directory)");
    }
    if (!Files.isDirectory(dataDir.receipts())) {
      throw new ConfigException("--data-dir " + dataDir.root() + " holds no receipt store (expected "
          + dataDir.receipts() + "; it appears once the node has served a relay with receipts on)");
    }
    PrivKey key = KeyFiles.load(dataDir.keyFile());
    PeerId node = key.publicKey().peerId();
    try (ReceiptStore store = openStore(dataDir); LedgerTool ledger = LedgerTool.open(ledgerDir, clock)) {
      AttestationSigner signer = new AttestationSigner(key, ledger.ledger().params().domain());
      List<SettlementStep> steps = new Settlement(store, ledger.ledger(), Bytes.wrap(node.bytes()), signer).run(epoch);
      return new Result(node, ledger.ledger().now(), steps);
    }
  }

  private static ReceiptStore openStore(DataDir dataDir) {
    try {
      return ReceiptStore.openReadOnly(dataDir.receipts());
    } catch (StoreOpenException e) {
      throw new ConfigException("--data-dir receipt store cannot be opened: " + e.getMessage(), e);
    }
  }

  public static void printTable(Result r, PrintStream out) {
    out.println("node " + r.node().toBase58() + ", ledger time " + java.time.Instant.ofEpochMilli(r.ledgerTimeMs()));
    String fmt = "%-10s %-42s %-16s %-12s %s%n";
    out.printf(fmt, "EPOCH", "PAYER", "ACTION", "PAID", "DETAIL");
    // A long-running node's store keeps every settled epoch; past a screenful they become one line.
    List<SettlementStep> settled = r.steps().stream().filter(SettleTool::settledEarlier).toList();
    boolean collapse = settled.size() > MAX_SETTLED_LINES;
    for (SettlementStep s : r.steps()) {
      if (collapse && settledEarlier(s)) {
        continue;
      }
      out.printf(fmt, s.epoch().isPresent() ? Long.toString(s.epoch().getAsLong()) : "-",
          s.payer().bytes().toHexString(), s.action().name().toLowerCase(Locale.ROOT),
          s.amountWei().signum() == 0 ? "-" : Tokens.format(s.amountWei()), s.detail());
    }
    if (collapse) {
      java.util.Map<SettlementStep.Action, Long> counts = new java.util.TreeMap<>();
      settled.forEach(s -> counts.merge(s.action(), 1L, Long::sum));
      StringBuilder line = new StringBuilder();
      counts.forEach((a, n) -> line.append(line.isEmpty() ? "" : ", ").append(n).append(' ')
          .append(a.name().toLowerCase(Locale.ROOT)));
      out.println(settled.size() + " (epoch, payer) claims are final: " + line + " (--json or --epoch N lists each)");
    }
    out.println("paid this run: " + Tokens.format(r.redeemedWei()) + " tokens (" + r.redeemedWei() + " wei) in fees; "
        + r.steps().size() + " steps" + (r.refused() ? "; the ledger refused some (see REFUSED)" : ""));
  }

  private static final int MAX_SETTLED_LINES = 12;

  private static boolean settledEarlier(SettlementStep s) {
    return switch (s.action()) {
      case REWARDED, SLASHED, NOT_CLAIMED -> true;
      default -> false;
    };
  }

  public static void printJson(Result r, PrintStream out) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("node", r.node().toBase58());
    root.put("ledgerTimeMs", r.ledgerTimeMs());
    root.put("paidWei", r.redeemedWei().toString());
    ArrayNode steps = root.putArray("steps");
    for (SettlementStep s : r.steps()) {
      ObjectNode o = steps.addObject();
      if (s.epoch().isPresent()) {
        o.put("epoch", s.epoch().getAsLong());
      } else {
        o.putNull("epoch");
      }
      o.put("payer", s.payer().bytes().toHexString());
      o.put("action", s.action().name().toLowerCase(Locale.ROOT));
      o.put("amountWei", s.amountWei().toString());
      o.put("detail", s.detail());
    }
    out.println(root.toString());
  }
}
