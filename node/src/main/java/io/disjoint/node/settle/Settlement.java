package io.disjoint.node.settle;

import io.disjoint.node.config.ConfigException;
import io.disjoint.node.payment.PaymentWiring;
import io.disjoint.node.settle.SettlementStep.Action;
import io.disjoint.staking.claim.ClaimProof;
import io.disjoint.staking.claim.EpochClaim;
import io.disjoint.staking.claim.EpochClaimBuilder;
import io.disjoint.staking.ledger.ClaimState;
import io.disjoint.staking.ledger.Ledger;
import io.disjoint.staking.ledger.LedgerException;
import io.disjoint.staking.ledger.LedgerParams;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.store.EpochPayerTotals;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoredReceipt;
import io.disjoint.staking.voucher.Voucher;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.tuweni.bytes.Bytes;

/**
 * A serving node's side of settlement on a {@link Ledger}: from the receipts and vouchers its
 * store holds (opened read-only beside the running node), for each payer redeem the latest voucher,
 * and for each ended epoch commit a Merkle-sum claim per payer and, once the ledger's seed picks
 * the leaves, prove them. Every decision is read back from the ledger (what vouchers paid, which
 * claims exist, which challenges are proven), so a run repeated at any time does only what is
 * still due and never pays anything twice; nothing is written to the node's data dir.
 *
 * <p>Claims wait until {@link #LATE_RECEIPTS} after the epoch's end: a receipt stamped in the
 * epoch's last second can reach the node up to the receipt timestamp window later, and a claim is
 * a commitment to the epoch's full leaf list (the proofs later rebuild exactly that tree).
 */
public final class Settlement {
  /** Receipts of an epoch may arrive until its end plus the receipt window: claims wait this long. */
  public static final Duration LATE_RECEIPTS = PaymentWiring.VOUCHER_SETTLE_LAG;

  private final ReceiptStore store;
  private final Ledger ledger;
  private final Bytes nodeId;
  private final AttestationSigner attestations;

  /**
   * @param store the node's receipt store (read-only is enough)
   * @param attestations signs, with the node key, the attestations a proof needs that were stored
   *     unsigned (lazy attestations)
   */
  public Settlement(ReceiptStore store, Ledger ledger, Bytes nodeId, AttestationSigner attestations) {
    this.store = store;
    this.ledger = ledger;
    this.nodeId = nodeId;
    this.attestations = attestations;
  }

  /**
   * One pass: advances the ledger's time (deriving due seeds and settling epochs whose proof
   * window closed), then redeems and claims and proves what is due. {@code onlyEpoch} limits
   * claims and proofs to one epoch; vouchers are running totals over every epoch and are
   * always redeemed.
   */
  public List<SettlementStep> run(OptionalLong onlyEpoch) {
    List<EpochPayerTotals> rows = store.summary().stream()
        .filter(r -> onlyEpoch.isEmpty() || r.epoch() == onlyEpoch.getAsLong()).toList();
    if (onlyEpoch.isPresent() && rows.isEmpty()) {
      throw new ConfigException("--epoch " + onlyEpoch.getAsLong() + ": the node's store holds no receipts of that epoch"
          + " (disjoint receipts lists the epochs it holds); nothing was done");
    }
    checkAgreesWithLedger(rows);
    ledger.tick();
    List<SettlementStep> steps = new ArrayList<>();
    Set<Account> payers = new LinkedHashSet<>();
    store.summary().forEach(r -> payers.add(r.payer()));
    for (Account payer : payers) {
      steps.add(redeem(payer));
    }
    for (EpochPayerTotals row : rows) {
      steps.addAll(claimAndProve(row.epoch(), row.payer()));
    }
    return steps;
  }

  /**
   * The ledger must use the node's signing domain and epoch schedule, and its claim window must
   * leave time to claim after late receipts; otherwise nothing is done and the flag to fix is named.
   */
  private void checkAgreesWithLedger(List<EpochPayerTotals> rows) {
    LedgerParams p = ledger.params();
    if (p.claimWindowMs() <= LATE_RECEIPTS.toMillis()) {
      throw new ConfigException("--ledger: its claim window of " + p.claimWindowMs() / 1000 + " s is not longer than the "
          + LATE_RECEIPTS.toSeconds() + " s a node waits for late receipts before claiming, so no claim could be made;"
          + " create the ledger with disjoint stake init --claim-window-seconds above " + LATE_RECEIPTS.toSeconds());
    }
    for (EpochPayerTotals row : rows) {
      List<StoredReceipt> first = store.receipts(row.epoch(), row.payer(), -1, 1);
      if (first.isEmpty()) {
        continue;
      }
      PaymentReceipt r = first.get(0).receipt();
      if (!r.domain().equals(p.domain())) {
        throw new ConfigException("--ledger is for network " + p.domain().networkId() + " v" + p.domain().version()
            + ", but the node's receipts are for " + r.domain().networkId() + " v" + r.domain().version());
      }
      long ledgerEpoch = r.timestampMs() < p.epochs().genesisMs() ? -1 : p.epochs().epochAt(r.timestampMs());
      if (ledgerEpoch != r.epoch()) {
        throw new ConfigException("--epoch-seconds of the node disagrees with the ledger's epochs of "
            + p.epochs().lengthMs() / 1000 + " s: a receipt stamped " + Instant.ofEpochMilli(r.timestampMs())
            + " is in epoch " + r.epoch() + " for the node and " + ledgerEpoch + " for the ledger;"
            + " run the node and gateways with --epoch-seconds " + p.epochs().lengthMs() / 1000
            + " (or create the ledger with the node's: disjoint stake init --epoch-seconds)");
      }
    }
  }

  private SettlementStep redeem(Account payer) {
    Optional<Map.Entry<Long, byte[]>> latest = store.latestVoucher(payer);
    if (latest.isEmpty()) {
      return SettlementStep.voucher(payer, Action.NO_VOUCHER, BigInteger.ZERO,
          "no voucher from this payer yet (the running node asks its gateway once receipts are "
              + PaymentWiring.VOUCHER_SETTLE_LAG.toSeconds() + " s old and worth " + PaymentWiring.VOUCHER_THRESHOLD + " wei)");
    }
    Voucher v = Voucher.decode(latest.get().getValue());
    BigInteger paid = ledger.paid(payer, nodeId);
    if (v.valueTotal().compareTo(paid) <= 0) {
      return SettlementStep.voucher(payer, Action.ALREADY_REDEEMED, BigInteger.ZERO,
          "voucher " + v.sequence() + " (total " + v.valueTotal() + " wei) is paid; paid so far " + paid + " wei");
    }
    try {
      BigInteger amount = ledger.redeemVoucher(v);
      return SettlementStep.voucher(payer, Action.REDEEMED, amount, "voucher " + v.sequence() + ": total "
          + v.valueTotal() + " wei minus " + paid + " wei paid before");
    } catch (LedgerException e) {
      return SettlementStep.voucher(payer, Action.REFUSED, BigInteger.ZERO, "voucher " + v.sequence() + ": " + e.getMessage());
    }
  }

  private List<SettlementStep> claimAndProve(long epoch, Account payer) {
    LedgerParams p = ledger.params();
    long now = ledger.now();
    long end = p.epochs().endMs(epoch);
    long claimUntil = end + p.claimWindowMs();
    Optional<ClaimState> existing = ledger.claim(epoch, nodeId, payer);
    if (existing.isEmpty()) {
      if (now < end + LATE_RECEIPTS.toMillis()) {
        return List.of(SettlementStep.claim(epoch, payer, Action.WAITING, (now < end ? "epoch ends " + at(end)
            : "receipts may still arrive") + "; claim from " + at(end + LATE_RECEIPTS.toMillis())
            + " until " + at(claimUntil)));
      }
      if (now >= claimUntil) {
        return List.of(SettlementStep.claim(epoch, payer, Action.NOT_CLAIMED, "the claim window closed " + at(claimUntil)));
      }
      return List.of(claim(epoch, payer));
    }
    ClaimState state = existing.get();
    return switch (state.status()) {
      case REWARDED -> List.of(SettlementStep.claim(epoch, payer, Action.REWARDED, state.claim().root().sum()
          + " compute units rewarded (see disjoint payouts)"));
      case SLASHED -> List.of(SettlementStep.claim(epoch, payer, Action.SLASHED,
          "a required proof was missing: the claim is void and the node was slashed"));
      case OPEN -> prove(state);
    };
  }

  private SettlementStep claim(long epoch, Account payer) {
    Optional<EpochClaimBuilder.Built> built = EpochClaimBuilder.build(store, epoch, payer, nodeId);
    if (built.isEmpty()) {
      return SettlementStep.claim(epoch, payer, Action.NOT_CLAIMED, "no receipt of this epoch verifies; nothing to claim");
    }
    EpochClaim c = built.get().claim();
    String rejected = built.get().rejected().isEmpty() ? ""
        : "; " + built.get().rejected().size() + " receipt(s) left out, their signature does not verify";
    try {
      ledger.submitClaim(c);
      return SettlementStep.claim(epoch, payer, Action.CLAIMED, c.leafCount() + " receipts, " + c.root().sum()
          + " compute units" + rejected + "; proofs due after " + at(ledger.params().epochs().endMs(epoch)
          + ledger.params().claimWindowMs()));
    } catch (LedgerException e) {
      return SettlementStep.claim(epoch, payer, Action.REFUSED, "claim: " + e.getMessage() + rejected);
    }
  }

  private List<SettlementStep> prove(ClaimState state) {
    EpochClaim c = state.claim();
    LedgerParams p = ledger.params();
    long seedAt = p.epochs().endMs(c.epoch()) + p.claimWindowMs();
    long proofsUntil = seedAt + p.proofWindowMs();
    if (ledger.epochSeed(c.epoch()).isEmpty()) {
      return List.of(SettlementStep.claim(c.epoch(), c.payer(), Action.CLAIM_OPEN,
          "claimed " + c.root().sum() + " compute units; the ledger picks the leaves to prove at " + at(seedAt)));
    }
    if (state.required() == 0 || state.allProven()) {
      return List.of(SettlementStep.claim(c.epoch(), c.payer(), Action.CLAIM_OPEN,
          (state.required() == 0 ? "no proof drawn" : "all " + state.required() + " proofs in")
              + "; the ledger settles the reward after " + at(proofsUntil)));
    }
    Optional<EpochClaimBuilder.Built> rebuilt = EpochClaimBuilder.build(store, c.epoch(), c.payer(), nodeId);
    if (rebuilt.isEmpty() || !rebuilt.get().claim().equals(c)) {
      return List.of(SettlementStep.claim(c.epoch(), c.payer(), Action.FAILED, "the receipt store no longer"
          + " holds the receipts this claim committed to (changed or altered since the claim); no proof possible"));
    }
    List<Long> points = ledger.challengePoints(c.epoch(), nodeId, c.payer());
    List<SettlementStep> steps = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      if (state.proven(i)) {
        continue;
      }
      try {
        ClaimProof proof = EpochClaimBuilder.prove(rebuilt.get(), i, points.get(i), attestations);
        ledger.submitProof(proof);
        steps.add(SettlementStep.claim(c.epoch(), c.payer(), Action.PROVEN, "challenge " + i + " at compute unit "
            + points.get(i) + ": receipt " + proof.receipt().id().toHexString().substring(0, 18)
            + "..; reward after " + at(proofsUntil)));
      } catch (LedgerException e) {
        steps.add(SettlementStep.claim(c.epoch(), c.payer(), Action.REFUSED, "proof " + i + ": " + e.getMessage()));
      }
    }
    return steps;
  }

  private static String at(long ms) {
    return Instant.ofEpochMilli(ms).toString();
  }
}
