package io.disjoint.staking.ledger;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.Uint256;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.receipt.NetworkDomain;
import java.math.BigInteger;

/**
 * The ledger's rules, fixed at genesis (they are part of the log, so a replay uses the same ones).
 *
 * @param proofThresholdCu claims with at least this many compute units are always challenged
 * @param proofProbabilityBps below the threshold a claim is challenged with this probability
 *     (basis points, 1..10000)
 * @param minSlash the least a missing or bad proof costs, whatever the claimed reward
 * @param reporterRewardBps share of an evidence-based slash paid to whoever reported it
 * @param quorumSize agreeing attestations from distinct staked nodes that prove an answer wrong
 */
public record LedgerParams(
    NetworkDomain domain,
    EpochSchedule epochs,
    BigInteger minStake,
    long unbondingMs,
    long jailMs,
    long escrowThawMs,
    long signerThawMs,
    long claimWindowMs,
    long proofWindowMs,
    long proofThresholdCu,
    int proofProbabilityBps,
    int proofsPerClaim,
    BigInteger rewardPerComputeUnit,
    BigInteger minSlash,
    BigInteger equivocationSlash,
    BigInteger wrongAnswerSlash,
    int reporterRewardBps,
    int quorumSize) {

  public LedgerParams {
    if (domain == null || epochs == null) {
      throw new IllegalArgumentException("ledger.domain and ledger.epochs are required");
    }
    for (BigInteger v : new BigInteger[] {minStake, rewardPerComputeUnit, minSlash,
        equivocationSlash, wrongAnswerSlash}) {
      Uint256.check(v, "ledger amount");
    }
    if (unbondingMs < 0 || jailMs < 0 || escrowThawMs < 0 || signerThawMs < 0
        || claimWindowMs < 1 || proofWindowMs < 1 || proofThresholdCu < 0) {
      throw new IllegalArgumentException("ledger periods must be >= 0 (claim/proof windows >= 1)");
    }
    if (proofProbabilityBps < 1 || proofProbabilityBps > 10_000) {
      throw new IllegalArgumentException("ledger.proofProbabilityBps must be 1..10000");
    }
    if (proofsPerClaim < 1 || proofsPerClaim > 64) {
      throw new IllegalArgumentException("ledger.proofsPerClaim must be 1..64");
    }
    if (reporterRewardBps < 0 || reporterRewardBps > 10_000) {
      throw new IllegalArgumentException("ledger.reporterRewardBps must be 0..10000");
    }
    if (quorumSize < 2 || quorumSize > 64) {
      throw new IllegalArgumentException("ledger.quorumSize must be 2..64");
    }
  }

  /** Testnet defaults: 1-hour epochs, 1,000-token minimum stake (18 decimals), p = 25%. */
  public static LedgerParams testnet(NetworkDomain domain) {
    BigInteger token = BigInteger.TEN.pow(18);
    return new LedgerParams(domain, EpochSchedule.HOURLY, token.multiply(BigInteger.valueOf(1000)),
        7 * 24 * 3_600_000L, 24 * 3_600_000L, 24 * 3_600_000L, 24 * 3_600_000L,
        600_000L, 600_000L, 1_000_000L, 2_500, 1, BigInteger.valueOf(1_000_000_000L),
        token.multiply(BigInteger.TEN), token.multiply(BigInteger.valueOf(100)),
        token.multiply(BigInteger.valueOf(100)), 5_000, 3);
  }

  /**
   * The slash for a claim whose required proof is missing or bad: enough that cheating is a loss
   * in expectation. A fake claim below the threshold is checked with probability p, so it gains
   * R with probability (1 - p) and must lose S with probability p: S >= R (1 - p) / p.
   */
  public BigInteger missingProofSlash(BigInteger reward, boolean aboveThreshold) {
    int p = aboveThreshold ? 10_000 : proofProbabilityBps;
    BigInteger num = reward.multiply(BigInteger.valueOf(10_000L - p));
    BigInteger[] qr = num.divideAndRemainder(BigInteger.valueOf(p));
    BigInteger s = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    return s.max(minSlash);
  }

  void encode(CanonicalWriter w) {
    w.ascii(domain.networkId()).u16(domain.version())
        .u64(epochs.genesisMs()).u64(epochs.lengthMs())
        .u256(minStake).u64(unbondingMs).u64(jailMs).u64(escrowThawMs).u64(signerThawMs)
        .u64(claimWindowMs).u64(proofWindowMs).u64(proofThresholdCu)
        .u16(proofProbabilityBps).u8(proofsPerClaim)
        .u256(rewardPerComputeUnit).u256(minSlash).u256(equivocationSlash).u256(wrongAnswerSlash)
        .u16(reporterRewardBps).u8(quorumSize);
  }

  static LedgerParams decode(CanonicalReader r) {
    return new LedgerParams(
        new NetworkDomain(r.ascii("network id", 64), r.u16("version")),
        new EpochSchedule(r.u63("genesis"), r.u63("epoch length")),
        r.u256("min stake"), r.u63("unbonding"), r.u63("jail"), r.u63("escrow thaw"),
        r.u63("signer thaw"), r.u63("claim window"), r.u63("proof window"),
        r.u63("proof threshold"), r.u16("proof probability"), r.u8("proofs per claim"),
        r.u256("reward per cu"), r.u256("min slash"), r.u256("equivocation slash"),
        r.u256("wrong answer slash"), r.u16("reporter reward"), r.u8("quorum size"));
  }
}
