package io.disjoint.node.payment;

import io.disjoint.node.DataDir;
import io.disjoint.node.config.ConfigException;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.relay.protocol.StakingGatewayPayment;
import io.disjoint.relay.protocol.StakingServingPayment;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.BatchedReceiptTracker;
import io.disjoint.staking.receipt.ReceiptBatcher;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.receipt.RecentReceiptIds;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.SignatureSampler;
import io.disjoint.staking.receipt.VerifierConfig;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.store.StoreOpenException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executor;
import org.apache.tuweni.bytes.Bytes;

/**
 * Receipts on both sides of a relay, with the network's fixed parameters: the signing domain,
 * hourly epochs and the price of a compute unit.
 */
public final class PaymentWiring {
  /** Domain separation of every receipt and attestation this build signs. */
  public static final NetworkDomain NETWORK = new NetworkDomain("disjoint-dev", 1);
  public static final EpochSchedule EPOCHS = EpochSchedule.HOURLY;
  /** Value of one compute unit in wei (1 gwei). */
  public static final BigInteger PRICE_PER_COMPUTE_UNIT = BigInteger.valueOf(1_000_000_000L);
  /** A payer's unvouchered value (wei) that makes a serving node ask its gateway for a voucher. */
  public static final BigInteger VOUCHER_THRESHOLD = BigInteger.valueOf(1_000_000_000_000L);
  /** Receipts are batched once older than the receipt timestamp window plus a margin. */
  public static final Duration VOUCHER_SETTLE_LAG = VerifierConfig.DEFAULT_WINDOW.plusSeconds(10);
  public static final Duration VOUCHER_INTERVAL = Duration.ofSeconds(15);
  /**
   * How long receipt ids are remembered in memory before the store's seen index answers: longer
   * than a receipt takes from admission to its synced group commit (milliseconds; seconds on a
   * backlogged disk). A replay that slipped past both would still be refused by the store's own
   * duplicate check, so it is never paid twice. Memory is ~150 bytes per id remembered.
   */
  private static final long REPLAY_MEMORY_MS = 10_000;

  private PaymentWiring() {}

  /**
   * The gateway signs with its node key and pays from the account derived from that key; it asks
   * for signed attestations on quorum calls and a random audit share ({@link ReceiptSampling#DEFAULTS}).
   */
  public static StakingGatewayPayment gateway(PrivKey nodeKey, Clock clock) {
    return gateway(nodeKey, clock, ReceiptSampling.DEFAULTS);
  }

  /**
   * As above; with {@link ReceiptSampling#batchSignatures} (the default) receipts travel unsigned
   * and one signed batch per serving peer covers them (docs/receipts.md, "Batched gateway
   * signatures"), flushed by a shared daemon timer.
   */
  public static StakingGatewayPayment gateway(PrivKey nodeKey, Clock clock, ReceiptSampling sampling) {
    return gateway(nodeKey, clock, sampling, EPOCHS);
  }

  /**
   * As above with the network's epoch schedule ({@code --epoch-seconds}): receipts name the epoch
   * of their timestamp under it, so it must equal the serving nodes' and the ledger's.
   */
  public static StakingGatewayPayment gateway(PrivKey nodeKey, Clock clock, ReceiptSampling sampling,
      EpochSchedule epochs) {
    ReceiptSigner signer = new ReceiptSigner(nodeKey, NETWORK,
        KeyDerivedSigners.accountOf(Bytes.wrap(nodeKey.publicKey().marshal())), epochs, clock, new SecureRandom());
    if (!sampling.batchSignatures()) {
      return new StakingGatewayPayment(signer, PRICE_PER_COMPUTE_UNIT, sampling.auditOneIn(), new SecureRandom());
    }
    return new StakingGatewayPayment(new ReceiptBatcher(signer, ReceiptBatcher.DEFAULT_MAX_RECEIPTS,
        ReceiptBatcher.DEFAULT_MAX_AGE, clock), PRICE_PER_COMPUTE_UNIT, sampling.auditOneIn(), new SecureRandom(),
        BatchFlushTimer.SHARED);
  }

  /** One daemon thread for every gateway's receipt batch flush in this JVM (a few microseconds each 20 ms). */
  private static final class BatchFlushTimer {
    static final java.util.concurrent.ScheduledExecutorService SHARED =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "receipt-batch-flush");
          t.setDaemon(true);
          return t;
        });
  }

  /** Opens (creating) the receipt store in DATA_DIR/receipts; fails closed on a bad store. */
  public static ReceiptStore openStore(DataDir dataDir) {
    try {
      return ReceiptStore.open(dataDir.receipts(), NETWORK.networkId(), StoreConfig.DEFAULTS);
    } catch (StoreOpenException e) {
      throw new ConfigException("--data-dir receipt store cannot be used (nothing was changed): " + e.getMessage(), e);
    }
  }

  /**
   * The serving node's receipt check, synced: an answer goes out only after its receipt is in a
   * synced write, so a SIGKILL never loses a receipt the node acknowledged with an answer. Costs
   * one fsync per answer (milliseconds on a busy disk).
   */
  public static StakingServingPayment serving(PrivKey nodeKey, ReceiptStore store, Clock clock) {
    return StakingServingPayment.synced(verifier(nodeKey, store, clock), new AttestationSigner(nodeKey, NETWORK), store);
  }

  /**
   * The serving node's receipt check as {@code disjoint run} uses it: policy checks inline, the
   * answer at once, a sampled signature check ({@link ReceiptSampling#DEFAULTS}) and the synced
   * append afterwards on {@code verifyPool} (see {@link StakingServingPayment#deferred};
   * docs/receipts.md states what a crash can lose and why sampling is safe).
   */
  public static StakingServingPayment serving(PrivKey nodeKey, ReceiptStore store, Clock clock, Executor verifyPool) {
    return serving(nodeKey, store, clock, verifyPool, ReceiptSampling.DEFAULTS, new SecureRandom());
  }

  /** As above with explicit sampling; {@code random} draws the sample (a SecureRandom outside tests). */
  /**
   * As above with explicit sampling; {@code random} draws the sample (a SecureRandom outside
   * tests). Takes batched receipts too: call {@link StakingServingPayment#sweepBatches} every
   * ~100 ms ({@code ServingWiring} does).
   */
  public static StakingServingPayment serving(PrivKey nodeKey, ReceiptStore store, Clock clock, Executor verifyPool,
      ReceiptSampling sampling, Random random) {
    return serving(nodeKey, store, clock, verifyPool, sampling, random, EPOCHS);
  }

  /**
   * As above with the network's epoch schedule ({@code --epoch-seconds}): a receipt whose epoch is
   * not its timestamp's under it is refused, and epoch claims on the ledger use the same schedule.
   */
  public static StakingServingPayment serving(PrivKey nodeKey, ReceiptStore store, Clock clock, Executor verifyPool,
      ReceiptSampling sampling, Random random, EpochSchedule epochs) {
    BatchedReceiptTracker batches = new BatchedReceiptTracker(NETWORK, nodeKey.publicKey().peerId(), clock,
        BatchedReceiptTracker.DEFAULT_TIMEOUT);
    // Receipts waiting for their batch count against the payer's risk limit like stored ones.
    ReceiptVerifier verifier = verifier(nodeKey, store, clock,
        payer -> store.unvoucheredValue(payer).add(batches.pendingValue(payer)), epochs);
    return StakingServingPayment.deferred(verifier, new AttestationSigner(nodeKey, NETWORK), store,
        verifyPool, new SignatureSampler(sampling.verifyOneIn(), sampling.verifyFirstPerGateway(), random), batches);
  }

  private static ReceiptVerifier verifier(PrivKey nodeKey, ReceiptStore store, Clock clock) {
    return verifier(nodeKey, store, clock, store::unvoucheredValue, EPOCHS);
  }

  private static ReceiptVerifier verifier(PrivKey nodeKey, ReceiptStore store, Clock clock,
      java.util.function.Function<io.disjoint.staking.receipt.Account, BigInteger> unpaid, EpochSchedule epochs) {
    return new ReceiptVerifier(VerifierConfig.defaults(NETWORK, epochs),
        nodeKey.publicKey().peerId(), new KeyDerivedSigners(),
        new RecentReceiptIds(store::contains, clock, REPLAY_MEMORY_MS), unpaid, clock);
  }
}
