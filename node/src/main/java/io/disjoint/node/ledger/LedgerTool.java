package io.disjoint.node.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.node.config.ConfigException;
import io.disjoint.node.payment.PaymentWiring;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.ledger.EmbeddedLedger;
import io.disjoint.staking.ledger.LedgerException;
import io.disjoint.staking.ledger.LedgerOp;
import io.disjoint.staking.ledger.LedgerParams;
import io.disjoint.staking.ledger.NodeStake;
import io.disjoint.staking.ledger.Payout;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.store.StoreOpenException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;

/**
 * What {@code disjoint stake ...} and {@code disjoint payouts} do on the embedded ledger in a
 * directory (one machine, testnets): create it with funded accounts, bond and unbond a node's
 * stake, and show stakes and payouts. Amounts are printed in tokens (18 decimals).
 */
public final class LedgerTool implements AutoCloseable {
  private final EmbeddedLedger ledger;

  private LedgerTool(EmbeddedLedger ledger) {
    this.ledger = ledger;
  }

  /** Creates a ledger with testnet parameters, funding {@code allocations} (wei). */
  public static LedgerTool init(Path dir, Map<Account, BigInteger> allocations, BigInteger rewardPool, Clock clock) {
    return init(dir, allocations, rewardPool, LedgerParams.testnet(PaymentWiring.NETWORK), clock);
  }

  /** Creates a ledger with {@code params} (see {@link #testnetParams}), funding {@code allocations} (wei). */
  public static LedgerTool init(Path dir, Map<Account, BigInteger> allocations, BigInteger rewardPool,
      LedgerParams params, Clock clock) {
    if (Files.exists(dir.resolve(io.disjoint.staking.store.StoreMetadata.FILE_NAME))) {
      throw new ConfigException("--ledger " + dir + " already holds a ledger; it is never overwritten");
    }
    LedgerOp.Genesis genesis = new LedgerOp.Genesis(params, allocations, rewardPool);
    return new LedgerTool(open(() -> EmbeddedLedger.open(dir, genesis, clock), dir));
  }

  /**
   * The testnet parameters ({@link LedgerParams#testnet}) with another epoch length and claim and
   * proof windows (seconds), so a local network can settle in minutes; the nodes must run with the
   * same {@code --epoch-seconds}. Errors name the {@code stake init} flag.
   */
  public static LedgerParams testnetParams(long epochSeconds, long claimWindowSeconds, long proofWindowSeconds) {
    long year = 366L * 24 * 3600;
    if (epochSeconds < 1 || epochSeconds > year) {
      throw new ConfigException("--epoch-seconds expects 1 to " + year + " seconds, got " + epochSeconds);
    }
    if (claimWindowSeconds < 1 || claimWindowSeconds > year) {
      throw new ConfigException("--claim-window-seconds expects 1 to " + year + " seconds, got " + claimWindowSeconds);
    }
    if (proofWindowSeconds < 1 || proofWindowSeconds > year) {
      throw new ConfigException("--proof-window-seconds expects 1 to " + year + " seconds, got " + proofWindowSeconds);
    }
    LedgerParams t = LedgerParams.testnet(PaymentWiring.NETWORK);
    return new LedgerParams(t.domain(), new EpochSchedule(0, epochSeconds * 1000), t.minStake(), t.unbondingMs(),
        t.jailMs(), t.escrowThawMs(), t.signerThawMs(), claimWindowSeconds * 1000, proofWindowSeconds * 1000,
        t.proofThresholdCu(), t.proofProbabilityBps(), t.proofsPerClaim(), t.rewardPerComputeUnit(), t.minSlash(),
        t.equivocationSlash(), t.wrongAnswerSlash(), t.reporterRewardBps(), t.quorumSize());
  }

  /** Opens an existing ledger for operations. */
  public static LedgerTool open(Path dir, Clock clock) {
    requireLedger(dir);
    return new LedgerTool(open(() -> EmbeddedLedger.open(dir,
        new LedgerOp.Genesis(LedgerParams.testnet(PaymentWiring.NETWORK), Map.of(), BigInteger.ZERO), clock), dir));
  }

  /** Opens an existing ledger read-only (status, payouts). */
  public static LedgerTool openReadOnly(Path dir, Clock clock) {
    requireLedger(dir);
    return new LedgerTool(open(() -> EmbeddedLedger.openReadOnly(dir, clock), dir));
  }

  private static void requireLedger(Path dir) {
    if (!Files.exists(dir.resolve(io.disjoint.staking.store.StoreMetadata.FILE_NAME))) {
      throw new ConfigException("--ledger " + dir + " holds no ledger (create one with 'disjoint stake init')");
    }
  }

  private static EmbeddedLedger open(java.util.function.Supplier<EmbeddedLedger> opener, Path dir) {
    try {
      return opener.get();
    } catch (StoreOpenException e) {
      throw new ConfigException("--ledger " + dir + " cannot be used (nothing was changed): " + e.getMessage(), e);
    }
  }

  public static Account account(String hex, String flag) {
    try {
      return Account.fromHex(hex);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag + " expects a 20-byte account as 0x + 40 hex digits, got '" + hex + "'");
    }
  }

  public static Bytes nodeId(PeerId peer) {
    return Bytes.wrap(peer.bytes());
  }

  /** The ledger itself (settlement runs its operations directly). */
  public EmbeddedLedger ledger() {
    return ledger;
  }

  /**
   * The payer side of a gateway: moves {@code amount} from the payer's balance into its escrow
   * (what vouchers are redeemed from) and, unless already done, authorizes the gateway's key to
   * sign receipts and vouchers for the payer. Returns whether the key was newly authorized.
   */
  public boolean depositFor(Account payer, Bytes signerKey, BigInteger amount) {
    boolean authorize = ledger.signerStatus(payer, signerKey, ledger.now())
        != io.disjoint.staking.receipt.SignerDirectory.SignerStatus.ACTIVE;
    if (authorize) {
      run(() -> ledger.authorizeSigner(payer, signerKey));
    }
    if (amount.signum() > 0) {
      run(() -> ledger.deposit(payer, amount));
    }
    return authorize;
  }

  public io.disjoint.staking.ledger.Escrow escrow(Account payer) {
    return ledger.escrow(payer);
  }

  public void bond(Account owner, PeerId node, BigInteger amount) {
    run(() -> ledger.stake(owner, nodeId(node), amount));
  }

  public void unbond(PeerId node, BigInteger amount) {
    run(() -> ledger.unstake(nodeId(node), amount));
  }

  private static void run(Runnable op) {
    try {
      op.run();
    } catch (LedgerException e) {
      throw new ConfigException("the ledger refused: " + e.getMessage() + " (" + e.reason() + ")", e);
    }
  }

  public Optional<NodeStake> stake(PeerId node) {
    return ledger.nodeStake(nodeId(node));
  }

  public BigInteger balance(Account account) {
    return ledger.balance(account);
  }

  public List<Payout> payouts(Optional<Long> epoch) {
    return epoch.map(ledger::payouts).orElseGet(ledger::payouts);
  }

  public void printStatus(PeerId node, PrintStream out) {
    Optional<NodeStake> s = stake(node);
    if (s.isEmpty()) {
      out.println("node " + node.toBase58() + ": no stake");
      return;
    }
    NodeStake st = s.get();
    out.println("node      " + node.toBase58());
    out.println("owner     " + st.owner().bytes().toHexString() + " (balance " + Tokens.format(balance(st.owner())) + ")");
    out.println("staked    " + Tokens.format(st.staked()));
    out.println("unbonding " + Tokens.format(st.unbonding()) + (st.unbonding().signum() > 0 ? " until " + java.time.Instant.ofEpochMilli(st.unbondingUntilMs()) : ""));
    out.println("jailed    " + (st.jailed() ? "until " + java.time.Instant.ofEpochMilli(st.jailedUntilMs()) : "no"));
    out.println("minimum   " + Tokens.format(ledger.params().minStake()));
  }

  public void printPayouts(Optional<Long> epoch, boolean json, PrintStream out) {
    List<Payout> rows = payouts(epoch);
    if (json) {
      ObjectMapper m = new ObjectMapper();
      ArrayNode arr = m.createArrayNode();
      for (Payout p : rows) {
        ObjectNode o = arr.addObject();
        o.put("epoch", p.epoch());
        o.put("node", PeerId.fromBytes(p.nodeId().toArray()).toBase58());
        o.put("feesWei", p.fees().toString());
        o.put("rewardsWei", p.rewards().toString());
        o.put("slashedWei", p.slashed().toString());
      }
      out.println(arr.toString());
      return;
    }
    String fmt = "%-8s %-54s %16s %16s %16s%n";
    out.printf(fmt, "EPOCH", "NODE", "FEES", "REWARDS", "SLASHED");
    for (Payout p : rows) {
      out.printf(fmt, p.epoch(), PeerId.fromBytes(p.nodeId().toArray()).toBase58(), Tokens.format(p.fees()),
          Tokens.format(p.rewards()), Tokens.format(p.slashed()));
    }
    out.println(rows.size() + " payout rows");
  }

  @Override
  public void close() {
    ledger.close();
  }
}
