package io.disjoint.staking.ledger;

import io.disjoint.staking.claim.ClaimProof;
import io.disjoint.staking.claim.EpochClaim;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.receipt.SignerDirectory;
import io.disjoint.staking.voucher.Voucher;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Stake, escrow, vouchers, claims, slashing and payouts behind one interface: the embedded
 * implementation serves one machine and testnets; an EVM-contract implementation will settle
 * on chain with the same operations. Amounts are in the token's smallest unit. Every mutating
 * call either applies completely or throws {@link LedgerException} and changes nothing.
 */
public interface Ledger extends SignerDirectory {
  LedgerParams params();

  /** The ledger's clock: the time of its last operation. */
  long now();

  // ---- reads

  BigInteger balance(Account account);

  Optional<NodeStake> nodeStake(Bytes nodeId);

  Escrow escrow(Account payer);

  /** What vouchers of this payer have already paid to this node. */
  BigInteger paid(Account payer, Bytes nodeId);

  Optional<ClaimState> claim(long epoch, Bytes nodeId, Account payer);

  /** The epoch's seed, once its claim window has closed and an operation followed. */
  Optional<Bytes32> epochSeed(long epoch);

  /**
   * Compute-unit positions the node must prove for this claim (empty if none are required or
   * the seed is not known yet): prove the leaf whose range holds each point.
   */
  List<Long> challengePoints(long epoch, Bytes nodeId, Account payer);

  List<Payout> payouts(long epoch);

  List<Payout> payouts();

  BigInteger rewardPool();

  /** Balances + stakes (bonded and unbonding) + escrows (held and thawing) + reward pool. */
  BigInteger totalSupply();

  Bytes32 stateHash();

  // ---- operations

  void transfer(Account from, Account to, BigInteger amount);

  /** Bonds {@code amount} from the owner's balance to the node; the result must reach the minimum. */
  void stake(Account owner, Bytes nodeId, BigInteger amount);

  /** Starts unbonding; the funds stay slashable until {@link #withdrawUnbonded}. */
  void unstake(Bytes nodeId, BigInteger amount);

  void withdrawUnbonded(Bytes nodeId);

  void unjail(Bytes nodeId);

  void deposit(Account payer, BigInteger amount);

  /** Starts thawing escrow; vouchers can still collect it until {@link #withdrawEscrow}. */
  void thaw(Account payer, BigInteger amount);

  void withdrawEscrow(Account payer);

  void authorizeSigner(Account payer, Bytes signerKey);

  /** Starts the signer's thaw; it stays valid until the thaw ends, then is revoked. */
  void revokeSigner(Account payer, Bytes signerKey);

  /** Pays the node's owner the voucher total minus what was paid before; returns the amount. */
  BigInteger redeemVoucher(Voucher voucher);

  void submitClaim(EpochClaim claim);

  void submitProof(ClaimProof proof);

  /** Two attestations by one node, same request and block, different answers: slash. */
  void reportEquivocation(Account reporter, ResponseAttestation first, ResponseAttestation second);

  /** A quorum of staked nodes answered a pinned-block request otherwise: slash the dissenter. */
  void reportWrongAnswer(Account reporter, ResponseAttestation accused,
      List<ResponseAttestation> quorum);

  /** Advances the ledger's time: derives seeds and settles epochs whose windows closed. */
  void tick();
}
