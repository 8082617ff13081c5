package io.disjoint.staking.ledger;

import static io.disjoint.staking.ledger.LedgerState.key;
import static io.disjoint.staking.ledger.LedgerState.lp;
import static io.disjoint.staking.ledger.LedgerState.u64;

import io.disjoint.staking.claim.ClaimProof;
import io.disjoint.staking.claim.EpochClaim;
import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.ledger.LedgerException.Reason;
import io.disjoint.staking.ledger.LedgerOp.*;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.receipt.SignerDirectory.SignerStatus;
import io.disjoint.staking.receipt.Signatures;
import io.disjoint.staking.voucher.Voucher;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * The ledger's state transitions. Pure: the result depends only on the state, the entry's time
 * and the operation, so replaying the log reproduces the state exactly. Every transition moves
 * tokens between balances, stakes, escrows and the reward pool; none creates or destroys them.
 */
final class LedgerMachine {
  private static final byte[] PARAMS_KEY = key((byte) 'G');
  private static final byte[] TIME_KEY = key((byte) 'T');

  private final LedgerState s;
  private LedgerParams params;

  LedgerMachine(LedgerState state) {
    this.s = state;
    this.params = s.get(PARAMS_KEY).map(b -> LedgerParams.decode(new CanonicalReader(b))).orElse(null);
  }

  Optional<LedgerParams> params() {
    return Optional.ofNullable(params);
  }

  long time() {
    return s.get(TIME_KEY).map(b -> new CanonicalReader(b).u64("time")).orElse(0L);
  }

  /**
   * Applies one log entry to the pending layer and returns the amount it moved to a node (for
   * redeem) or zero. The caller commits on success and rolls back on exception.
   */
  BigInteger apply(byte[] entryBytes, long now, LedgerOp op) {
    if (op instanceof Genesis g) {
      if (params != null) {
        throw new LedgerException(Reason.INVALID, "genesis already applied");
      }
      genesis(g);
    } else if (params == null) {
      throw new LedgerException(Reason.INVALID, "the ledger has no genesis");
    }
    if (now < time()) {
      throw new LedgerException(Reason.INVALID, "time went backwards");
    }
    s.put(TIME_KEY, u64(now));
    advance(now);
    BigInteger moved = switch (op) {
      case Genesis g -> BigInteger.ZERO;
      case Tick t -> BigInteger.ZERO;
      case Transfer t -> {
        debit(t.from(), t.amount());
        credit(t.to(), t.amount());
        yield BigInteger.ZERO;
      }
      case Stake st -> stake(st, now);
      case Unstake u -> unstake(u, now);
      case WithdrawUnbonded w -> withdrawUnbonded(w.nodeId(), now);
      case Unjail u -> unjail(u.nodeId(), now);
      case Deposit d -> {
        debit(d.payer(), d.amount());
        Escrow e = s.escrow(d.payer());
        s.putEscrow(d.payer(), new Escrow(e.balance().add(d.amount()), e.thawing(), e.thawUntilMs()));
        yield BigInteger.ZERO;
      }
      case Thaw t -> thaw(t, now);
      case WithdrawEscrow w -> withdrawEscrow(w.payer(), now);
      case AuthorizeSigner a -> authorize(a, now);
      case RevokeSigner r -> revoke(r, now);
      case RedeemVoucher r -> redeem(r.voucher(), now);
      case SubmitClaim c -> submitClaim(c.claim(), now);
      case SubmitProof p -> submitProof(p.proof(), now);
      case SlashEquivocation e -> slashEquivocation(e, now);
      case SlashWrongAnswer w -> slashWrongAnswer(w, now);
    };
    s.putChainHash(Sha256.hash(s.chainHash().toArray(), entryBytes));
    return moved;
  }

  private void genesis(Genesis g) {
    CanonicalWriter w = new CanonicalWriter(512);
    g.params().encode(w);
    s.put(PARAMS_KEY, w.toByteArray());
    g.allocations().forEach((a, v) -> s.putBalance(a, v));
    s.putPool(g.rewardPool());
    params = g.params();
  }

  // ---- tokens

  private static void positive(BigInteger amount) {
    if (amount.signum() <= 0) {
      throw new LedgerException(Reason.INVALID, "amount must be positive");
    }
  }

  private void debit(Account a, BigInteger amount) {
    positive(amount);
    BigInteger b = s.balance(a);
    if (b.compareTo(amount) < 0) {
      throw new LedgerException(Reason.INSUFFICIENT_BALANCE,
          "account " + a + " has " + b + ", needs " + amount);
    }
    s.putBalance(a, b.subtract(amount));
  }

  private void credit(Account a, BigInteger amount) {
    s.putBalance(a, s.balance(a).add(amount));
  }

  long epochAt(long now) {
    return now < params.epochs().genesisMs() ? 0 : params.epochs().epochAt(now);
  }

  private void book(long now, Bytes nodeId, BigInteger fees, BigInteger rewards, BigInteger slashed) {
    s.putPayout(s.payout(epochAt(now), nodeId).plus(fees, rewards, slashed));
  }

  // ---- stake

  private NodeStake node(Bytes nodeId) {
    return s.node(nodeId).orElseThrow(
        () -> new LedgerException(Reason.NOT_STAKED, "node " + nodeId + " has no stake"));
  }

  private BigInteger stake(Stake st, long now) {
    debit(st.owner(), st.amount());
    Optional<NodeStake> existing = s.node(st.nodeId());
    if (existing.isPresent() && !existing.get().owner().equals(st.owner())) {
      throw new LedgerException(Reason.OWNER_MISMATCH, "node " + st.nodeId() + " is staked by "
          + existing.get().owner());
    }
    NodeStake n = existing.orElse(new NodeStake(st.owner(), BigInteger.ZERO, BigInteger.ZERO, 0, 0));
    BigInteger staked = n.staked().add(st.amount());
    if (staked.compareTo(params.minStake()) < 0) {
      throw new LedgerException(Reason.BELOW_MINIMUM_STAKE,
          "stake " + staked + " is below the minimum " + params.minStake());
    }
    s.putNode(st.nodeId(), new NodeStake(n.owner(), staked, n.unbonding(), n.unbondingUntilMs(),
        n.jailedUntilMs()));
    return BigInteger.ZERO;
  }

  private BigInteger unstake(Unstake u, long now) {
    positive(u.amount());
    NodeStake n = node(u.nodeId());
    if (n.staked().compareTo(u.amount()) < 0) {
      throw new LedgerException(Reason.INSUFFICIENT_BALANCE, "node stakes only " + n.staked());
    }
    BigInteger left = n.staked().subtract(u.amount());
    if (left.signum() > 0 && left.compareTo(params.minStake()) < 0) {
      throw new LedgerException(Reason.BELOW_MINIMUM_STAKE,
          "remaining stake " + left + " would be below the minimum; unstake all or less");
    }
    s.putNode(u.nodeId(), new NodeStake(n.owner(), left, n.unbonding().add(u.amount()),
        now + params.unbondingMs(), n.jailedUntilMs()));
    return BigInteger.ZERO;
  }

  private BigInteger withdrawUnbonded(Bytes nodeId, long now) {
    NodeStake n = node(nodeId);
    if (n.unbonding().signum() == 0) {
      throw new LedgerException(Reason.INVALID, "nothing is unbonding");
    }
    if (now < n.unbondingUntilMs()) {
      throw new LedgerException(Reason.STILL_LOCKED, "unbonding until " + n.unbondingUntilMs());
    }
    credit(n.owner(), n.unbonding());
    s.putNode(nodeId, new NodeStake(n.owner(), n.staked(), BigInteger.ZERO, 0, n.jailedUntilMs()));
    return BigInteger.ZERO;
  }

  private BigInteger unjail(Bytes nodeId, long now) {
    NodeStake n = node(nodeId);
    if (!n.jailed()) {
      throw new LedgerException(Reason.INVALID, "node is not jailed");
    }
    if (now < n.jailedUntilMs()) {
      throw new LedgerException(Reason.STILL_LOCKED, "jailed until " + n.jailedUntilMs());
    }
    if (n.staked().compareTo(params.minStake()) < 0) {
      throw new LedgerException(Reason.BELOW_MINIMUM_STAKE, "top up the stake before unjailing");
    }
    s.putNode(nodeId, new NodeStake(n.owner(), n.staked(), n.unbonding(), n.unbondingUntilMs(), 0));
    return BigInteger.ZERO;
  }

  /** Takes up to {@code amount} from staked then unbonding funds; jails the node. */
  private BigInteger slash(Bytes nodeId, BigInteger amount, long now, Optional<Account> reporter) {
    NodeStake n = node(nodeId);
    BigInteger take = amount.min(n.total());
    BigInteger fromStaked = take.min(n.staked());
    BigInteger fromUnbonding = take.subtract(fromStaked);
    s.putNode(nodeId, new NodeStake(n.owner(), n.staked().subtract(fromStaked),
        n.unbonding().subtract(fromUnbonding), n.unbondingUntilMs(),
        Math.max(n.jailedUntilMs(), now + params.jailMs())));
    BigInteger cut = reporter.isPresent()
        ? take.multiply(BigInteger.valueOf(params.reporterRewardBps())).divide(BigInteger.valueOf(10_000))
        : BigInteger.ZERO;
    reporter.ifPresent(r -> credit(r, cut));
    s.putPool(s.pool().add(take.subtract(cut)));
    book(now, nodeId, BigInteger.ZERO, BigInteger.ZERO, take);
    return take;
  }

  // ---- escrow and signers

  private BigInteger thaw(Thaw t, long now) {
    positive(t.amount());
    Escrow e = s.escrow(t.payer());
    if (e.balance().compareTo(t.amount()) < 0) {
      throw new LedgerException(Reason.INSUFFICIENT_BALANCE, "escrow of " + t.payer() + " holds "
          + e.balance());
    }
    s.putEscrow(t.payer(), new Escrow(e.balance().subtract(t.amount()), e.thawing().add(t.amount()),
        now + params.escrowThawMs()));
    return BigInteger.ZERO;
  }

  private BigInteger withdrawEscrow(Account payer, long now) {
    Escrow e = s.escrow(payer);
    if (e.thawing().signum() == 0) {
      throw new LedgerException(Reason.INVALID, "nothing is thawing for " + payer);
    }
    if (now < e.thawUntilMs()) {
      throw new LedgerException(Reason.STILL_LOCKED, "escrow thaws at " + e.thawUntilMs());
    }
    credit(payer, e.thawing());
    s.putEscrow(payer, new Escrow(e.balance(), BigInteger.ZERO, 0));
    return BigInteger.ZERO;
  }

  private static byte[] signerKey(Bytes key) {
    return key(LedgerState.SIGNER, lp(key));
  }

  SignerStatus signerStatus(Account payer, Bytes key, long now) {
    Optional<byte[]> v = s.get(signerKey(key));
    if (v.isEmpty()) {
      return SignerStatus.UNKNOWN;
    }
    CanonicalReader r = new CanonicalReader(v.get());
    Account bound = new Account(r.fixedBytes("payer", Account.SIZE));
    long revokeAt = r.u63("revoke at");
    if (!bound.equals(payer)) {
      return SignerStatus.UNKNOWN;
    }
    if (revokeAt == 0) {
      return SignerStatus.ACTIVE;
    }
    return now < revokeAt ? SignerStatus.THAWING : SignerStatus.REVOKED;
  }

  private BigInteger authorize(AuthorizeSigner a, long now) {
    if (Signatures.parseKey(a.signerKey()).isEmpty()) {
      throw new LedgerException(Reason.INVALID, "not a libp2p public key");
    }
    Optional<byte[]> v = s.get(signerKey(a.signerKey()));
    if (v.isPresent()) {
      CanonicalReader r = new CanonicalReader(v.get());
      Account bound = new Account(r.fixedBytes("payer", Account.SIZE));
      if (signerStatus(bound, a.signerKey(), now) != SignerStatus.REVOKED) {
        throw new LedgerException(Reason.SIGNER_BOUND_ELSEWHERE,
            "signer key is already authorized by payer " + bound);
      }
    }
    s.put(signerKey(a.signerKey()), new CanonicalWriter(28).fixed(a.payer().bytes()).u64(0).toByteArray());
    return BigInteger.ZERO;
  }

  private BigInteger revoke(RevokeSigner r, long now) {
    if (signerStatus(r.payer(), r.signerKey(), now) != SignerStatus.ACTIVE) {
      throw new LedgerException(Reason.UNKNOWN_SIGNER, "no active signer key of " + r.payer());
    }
    s.put(signerKey(r.signerKey()), new CanonicalWriter(28).fixed(r.payer().bytes())
        .u64(now + params.signerThawMs()).toByteArray());
    return BigInteger.ZERO;
  }

  void requireSigner(Account payer, Bytes key, long at) {
    switch (signerStatus(payer, key, at)) {
      case ACTIVE, THAWING -> { }
      case REVOKED -> throw new LedgerException(Reason.REVOKED_SIGNER, "signer revoked by " + payer);
      case UNKNOWN -> throw new LedgerException(Reason.UNKNOWN_SIGNER,
          "signer not authorized by " + payer);
    }
  }

  // ---- vouchers

  static byte[] paidKey(Account payer, Bytes nodeId) {
    return key(LedgerState.PAID, payer.toArray(), lp(nodeId));
  }

  BigInteger paid(Account payer, Bytes nodeId) {
    return s.amount(paidKey(payer, nodeId));
  }

  private BigInteger redeem(Voucher v, long now) {
    if (!v.domain().equals(params.domain())) {
      throw new LedgerException(Reason.WRONG_DOMAIN, "voucher is for " + v.domain());
    }
    if (!Signatures.verify(v.signerKey(), v.signingBytes(), v.signature())) {
      throw new LedgerException(Reason.BAD_SIGNATURE, "voucher signature invalid");
    }
    requireSigner(v.payer(), v.signerKey(), now);
    NodeStake n = node(v.nodeId());
    BigInteger paid = paid(v.payer(), v.nodeId());
    if (v.valueTotal().compareTo(paid) <= 0) {
      throw new LedgerException(Reason.VOUCHER_NOT_ABOVE_PAID, "voucher total " + v.valueTotal()
          + " is not above the " + paid + " already paid to this node by " + v.payer());
    }
    Escrow e = s.escrow(v.payer());
    BigInteger pay = v.valueTotal().subtract(paid).min(e.total());
    if (pay.signum() == 0) {
      throw new LedgerException(Reason.INSUFFICIENT_BALANCE, "escrow of " + v.payer() + " is empty");
    }
    BigInteger fromBalance = pay.min(e.balance());
    s.putEscrow(v.payer(), new Escrow(e.balance().subtract(fromBalance),
        e.thawing().subtract(pay.subtract(fromBalance)), e.thawUntilMs()));
    s.putAmount(paidKey(v.payer(), v.nodeId()), paid.add(pay));
    credit(n.owner(), pay);
    book(now, v.nodeId(), pay, BigInteger.ZERO, BigInteger.ZERO);
    return pay;
  }

  // ---- claims

  private BigInteger submitClaim(EpochClaim c, long now) {
    long end = params.epochs().endMs(c.epoch());
    if (now < end || now >= end + params.claimWindowMs()) {
      throw new LedgerException(Reason.CLAIM_WINDOW, "claims for epoch " + c.epoch()
          + " are accepted in [" + end + ", " + (end + params.claimWindowMs()) + "), now " + now);
    }
    NodeStake n = node(c.nodeId());
    if (n.jailed()) {
      throw new LedgerException(Reason.JAILED, "node " + c.nodeId() + " is jailed");
    }
    if (n.staked().compareTo(params.minStake()) < 0) {
      throw new LedgerException(Reason.BELOW_MINIMUM_STAKE, "node stake below the minimum");
    }
    if (s.claim(c.epoch(), c.nodeId(), c.payer()).isPresent()) {
      throw new LedgerException(Reason.DUPLICATE_CLAIM, "already claimed");
    }
    s.putClaim(new ClaimState(c, ClaimState.Status.OPEN, 0, 0));
    s.put(key(LedgerState.OPEN_EPOCH, u64(c.epoch())), new byte[] {1});
    return BigInteger.ZERO;
  }

  Optional<Bytes32> seed(long epoch) {
    return s.get(key(LedgerState.SEED, u64(epoch))).map(Bytes32::wrap);
  }

  private BigInteger submitProof(ClaimProof p, long now) {
    ClaimState cs = s.claim(p.epoch(), p.nodeId(), p.payer()).orElseThrow(
        () -> new LedgerException(Reason.NO_SUCH_CLAIM, "no claim for this epoch, node, payer"));
    Optional<Bytes32> seed = seed(p.epoch());
    long deadline = params.epochs().endMs(p.epoch()) + params.claimWindowMs() + params.proofWindowMs();
    if (seed.isEmpty() || now >= deadline || cs.status() != ClaimState.Status.OPEN) {
      throw new LedgerException(Reason.PROOF_WINDOW, "proofs for epoch " + p.epoch()
          + " are accepted after the claim window until " + deadline);
    }
    if (p.challenge() >= cs.required() || cs.proven(p.challenge())) {
      throw new LedgerException(Reason.PROOF_NOT_REQUIRED, "challenge " + p.challenge()
          + " is not open (required " + cs.required() + ")");
    }
    ClaimRules.checkProof(params, seed.get(), cs.claim(), p);
    requireSigner(p.receipt().payer(), p.receipt().signerKey(), p.receipt().timestampMs());
    s.putClaim(new ClaimState(cs.claim(), cs.status(), cs.required(),
        cs.provenMask() | (1L << p.challenge())));
    return BigInteger.ZERO;
  }

  /** Derives seeds of epochs whose claim window closed, settles those whose proof window closed. */
  private void advance(long now) {
    for (Map.Entry<byte[], byte[]> open : s.scan(new byte[] {LedgerState.OPEN_EPOCH})) {
      long epoch = new CanonicalReader(open.getKey(), 1, 8).u64("epoch");
      long windowEnd = params.epochs().endMs(epoch) + params.claimWindowMs();
      if (now < windowEnd) {
        continue;
      }
      List<Map.Entry<byte[], byte[]>> claims = s.scan(key(LedgerState.CLAIM, u64(epoch)));
      if (seed(epoch).isEmpty()) {
        Bytes32 seed = ClaimRules.seed(s.chainHash(), epoch);
        s.put(key(LedgerState.SEED, u64(epoch)), seed.toArray());
        for (Map.Entry<byte[], byte[]> c : claims) {
          ClaimState cs = ClaimState.decode(c.getValue());
          s.putClaim(new ClaimState(cs.claim(), cs.status(),
              ClaimRules.requiredChallenges(params, seed, cs.claim()), 0));
        }
        claims = s.scan(key(LedgerState.CLAIM, u64(epoch)));
      }
      if (now >= windowEnd + params.proofWindowMs()) {
        for (Map.Entry<byte[], byte[]> c : claims) {
          settle(ClaimState.decode(c.getValue()), now);
        }
        s.delete(open.getKey());
      }
    }
  }

  private void settle(ClaimState cs, long now) {
    if (cs.status() != ClaimState.Status.OPEN) {
      return;
    }
    EpochClaim c = cs.claim();
    BigInteger reward = params.rewardPerComputeUnit().multiply(BigInteger.valueOf(c.root().sum()));
    if (cs.required() > 0 && !cs.allProven()) {
      slash(c.nodeId(), params.missingProofSlash(reward, c.root().sum() >= params.proofThresholdCu()),
          now, Optional.empty());
      s.putClaim(new ClaimState(c, ClaimState.Status.SLASHED, cs.required(), cs.provenMask()));
      return;
    }
    BigInteger pay = reward.min(s.pool());
    s.putPool(s.pool().subtract(pay));
    credit(node(c.nodeId()).owner(), pay);
    book(now, c.nodeId(), BigInteger.ZERO, pay, BigInteger.ZERO);
    s.putClaim(new ClaimState(c, ClaimState.Status.REWARDED, cs.required(), cs.provenMask()));
  }

  // ---- evidence

  private void checkAttestation(ResponseAttestation a) {
    if (!a.domain().equals(params.domain())) {
      throw new LedgerException(Reason.WRONG_DOMAIN, "attestation is for " + a.domain());
    }
    if (!Signatures.verify(a.signerKey(), a.signingBytes(), a.signature())) {
      throw new LedgerException(Reason.BAD_SIGNATURE, "attestation signature invalid");
    }
  }

  private static Bytes nodeOf(ResponseAttestation a) {
    return Bytes.wrap(Signatures.parseKey(a.signerKey()).orElseThrow().peerId().bytes());
  }

  private void useEvidence(String kind, Bytes32... ids) {
    CanonicalWriter w = new CanonicalWriter(100).ascii(kind);
    for (Bytes32 id : ids) {
      w.fixed(id);
    }
    byte[] k = key(LedgerState.EVIDENCE, Sha256.hash(w.toByteArray()).toArray());
    if (s.get(k).isPresent()) {
      throw new LedgerException(Reason.EVIDENCE_ALREADY_USED, "this evidence was already used");
    }
    s.put(k, new byte[] {1});
  }

  private BigInteger slashEquivocation(SlashEquivocation e, long now) {
    checkAttestation(e.first());
    checkAttestation(e.second());
    if (!e.first().contradicts(e.second())) {
      throw new LedgerException(Reason.NOT_EVIDENCE, "the attestations do not contradict each"
          + " other (need one signer, same chain, request and block, different responses)");
    }
    Bytes32 a = e.first().id();
    Bytes32 b = e.second().id();
    useEvidence("equivocation", a.compareTo(b) < 0 ? a : b, a.compareTo(b) < 0 ? b : a);
    slash(nodeOf(e.first()), params.equivocationSlash(), now, Optional.of(e.reporter()));
    return BigInteger.ZERO;
  }

  private BigInteger slashWrongAnswer(SlashWrongAnswer w, long now) {
    ResponseAttestation accused = w.accused();
    checkAttestation(accused);
    if (w.quorum().size() < params.quorumSize()) {
      throw new LedgerException(Reason.NOT_EVIDENCE, "quorum of " + w.quorum().size()
          + " is below " + params.quorumSize());
    }
    Bytes accusedNode = nodeOf(accused);
    Set<Bytes> voters = new HashSet<>();
    Bytes32 majority = w.quorum().get(0).responseHash();
    for (ResponseAttestation q : w.quorum()) {
      checkAttestation(q);
      boolean sameQuestion = q.chain().equals(accused.chain())
          && q.requestHash().equals(accused.requestHash()) && q.blockNumber() == accused.blockNumber()
          && q.blockHash().equals(accused.blockHash());
      if (!sameQuestion || !q.responseHash().equals(majority)) {
        throw new LedgerException(Reason.NOT_EVIDENCE,
            "quorum attestations must answer the same request on the same pinned block alike");
      }
      Bytes voter = nodeOf(q);
      NodeStake n = s.node(voter).orElse(null);
      if (voter.equals(accusedNode) || !voters.add(voter) || n == null || n.jailed()
          || n.staked().compareTo(params.minStake()) < 0) {
        throw new LedgerException(Reason.NOT_EVIDENCE,
            "quorum members must be distinct staked, unjailed nodes other than the accused");
      }
    }
    if (majority.equals(accused.responseHash())) {
      throw new LedgerException(Reason.NOT_EVIDENCE, "the accused answered like the quorum");
    }
    useEvidence("wrong-answer", accused.id());
    slash(accusedNode, params.wrongAnswerSlash(), now, Optional.of(w.reporter()));
    return BigInteger.ZERO;
  }

  // ---- conservation

  BigInteger totalSupply() {
    BigInteger sum = s.pool();
    for (Map.Entry<byte[], byte[]> e : s.scan(new byte[] {LedgerState.BALANCE})) {
      sum = sum.add(new BigInteger(1, e.getValue()));
    }
    for (Map.Entry<byte[], byte[]> e : s.scan(new byte[] {LedgerState.NODE})) {
      sum = sum.add(NodeStake.decode(e.getValue()).total());
    }
    for (Map.Entry<byte[], byte[]> e : s.scan(new byte[] {LedgerState.ESCROW})) {
      sum = sum.add(Escrow.decode(e.getValue()).total());
    }
    return sum;
  }
}
