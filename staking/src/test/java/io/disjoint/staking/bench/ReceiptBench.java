package io.disjoint.staking.bench;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.receipt.Signatures;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.testing.Fixtures;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Receipts signed, verified and durably stored per second on this machine.
 *
 * <pre>
 * ./mvnw -q -B -o -pl staking test-compile exec:java \
 *   -Dexec.mainClass=io.disjoint.staking.bench.ReceiptBench -Dexec.classpathScope=test \
 *   [-Dexec.args="RECEIPTS THREADS [store]"]      (defaults: 300000 receipts, 2 threads)
 *   [-Dexec.args="paced RATE SECONDS [LINGER_MS]"] (relay-like offered rate, one appender)
 * </pre>
 *
 * Signing and verifying use Bouncy Castle Ed25519 (p2p's keys). Storing goes through
 * {@link ReceiptStore#append}: a receipt counts once its future completed, i.e. after the
 * synced WAL write of its group-commit batch. Receipts are signed before the store phase starts,
 * and the store phase reports CPU per receipt for each thread group (the appenders' encode and
 * hash, the store's builder and syncer, RocksDB's background threads, GC, JIT). "store" skips
 * the signing and verification figures (it still signs the receipts it stores).
 */
public final class ReceiptBench {
  private ReceiptBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("paced")) {
      int rate = Integer.parseInt(args[1]);
      int seconds = Integer.parseInt(args[2]);
      StoreConfig config = args.length > 3
          ? StoreConfig.DEFAULTS.withLinger(Duration.ofMillis(Long.parseLong(args[3])))
          : StoreConfig.DEFAULTS;
      System.out.printf("receipt bench, paced: %d receipts/s for %d s, %d cores, java %s%n", rate,
          seconds, Runtime.getRuntime().availableProcessors(), Runtime.version());
      warmUp();
      int count = rate * seconds;
      PaymentReceipt[] receipts = new PaymentReceipt[count];
      ResponseAttestation[] attestations = new ResponseAttestation[count];
      signAll(receipts, attestations, 2);
      StoreLoad.paced(receipts, attestations, rate, config);
      return;
    }
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    boolean storeOnly = args.length > 2 && args[2].equals("store");
    System.out.printf("receipt bench: %d receipts, %d threads, %d cores, java %s%n", count, threads,
        Runtime.getRuntime().availableProcessors(), Runtime.version());
    warmUp();

    PaymentReceipt[] receipts = new PaymentReceipt[count];
    ResponseAttestation[] attestations = new ResponseAttestation[count];
    double[] rates = signAll(receipts, attestations, threads);
    if (!storeOnly) {
      System.out.printf("receipts signed:    %,10.0f /s (%d threads)%n", rates[0], threads);
      System.out.printf("attestations signed:%,10.0f /s (%d threads)%n", rates[1], threads);
      double verify1 = parallel(1, Math.min(count, 60_000), (t, i) -> check(receipts[i]));
      double verifyN = parallel(threads, count, (t, i) -> check(receipts[i]));
      System.out.printf("receipts verified:  %,10.0f /s (1 thread), %,.0f /s (%d threads)%n",
          verify1, verifyN, threads);
    }
    System.out.printf("baseline, raw RocksDB synced batches of 1,000 x 300 B: %,10.0f records/s%n",
        rawRocksBaseline());
    System.gc();
    StoreLoad.saturate(receipts, attestations, threads, StoreConfig.DEFAULTS);
  }

  /** Signs receipts and their attestations; returns {receipts/s, attestations/s}. */
  private static double[] signAll(PaymentReceipt[] receipts, ResponseAttestation[] attestations,
      int threads) throws Exception {
    PeerId node = Fixtures.nodeKey().peerId();
    double signRate = parallel(threads, receipts.length, (t, i) -> {
      ReceiptSigner signer = SIGNERS.get();
      receipts[i] = signer.issue(node, "eip155:1", Fixtures.hash("q" + i), 20, BigInteger.valueOf(1_000_000L));
    });
    // a node gets a gateway's receipts about in the order they were signed; two signing threads
    // on a busy machine drift apart by seconds, so restore that order for the store phase
    Arrays.sort(receipts, Comparator.comparingLong(PaymentReceipt::timestampMs));
    double attestRate = parallel(threads, receipts.length, (t, i) -> attestations[i] = ATTESTERS.get()
        .attest(receipts[i], Fixtures.hash("r" + i), 21_000_000L, Fixtures.hash("b")));
    return new double[] {signRate, attestRate};
  }

  private static final ThreadLocal<ReceiptSigner> SIGNERS = ThreadLocal.withInitial(() ->
      new ReceiptSigner(Fixtures.gatewayKey(), Fixtures.DOMAIN, Fixtures.PAYER, Fixtures.EPOCHS,
          Clock.systemUTC(), new SecureRandom()));
  private static final ThreadLocal<AttestationSigner> ATTESTERS = ThreadLocal.withInitial(() ->
      new AttestationSigner(Fixtures.nodeKey(), Fixtures.DOMAIN));

  private static void check(PaymentReceipt r) {
    if (!Signatures.verify(r.signerKey(), r.signingBytes(), r.signature())) {
      throw new IllegalStateException("bench receipt does not verify");
    }
  }

  private static void warmUp() throws Exception {
    PaymentReceipt[] w = new PaymentReceipt[20_000];
    PeerId node = Fixtures.nodeKey().peerId();
    parallel(2, w.length, (t, i) -> w[i] = SIGNERS.get().issue(node, "eip155:1",
        Fixtures.hash("w" + i), 1, BigInteger.ONE));
    parallel(2, w.length, (t, i) -> check(w[i]));
  }

  @FunctionalInterface
  interface Work {
    void run(int thread, int index) throws Exception;
  }

  /** Runs indexes 0..count-1 split over threads; returns items per second. */
  static double parallel(int threads, int count, Work work) throws Exception {
    List<Thread> ts = new ArrayList<>();
    List<Exception> errors = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread th = new Thread(() -> {
        try {
          for (int i = thread; i < count; i += threads) {
            work.run(thread, i);
          }
        } catch (Exception e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
      });
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) {
      th.join();
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * The primitive the store is built on, measured in the same run (the machine is shared, so
   * absolute figures move; the ratio to this baseline does not move as much).
   */
  private static double rawRocksBaseline() throws Exception {
    Path dir = Files.createTempDirectory("rocks-baseline");
    try (org.rocksdb.Options o = new org.rocksdb.Options().setCreateIfMissing(true);
        org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(o, dir.toString());
        org.rocksdb.WriteOptions sync = new org.rocksdb.WriteOptions().setSync(true)) {
      byte[] value = new byte[300];
      new java.util.Random(1).nextBytes(value);
      int batches = 150;
      long start = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        try (org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch()) {
          for (int i = 0; i < 1000; i++) {
            wb.put(java.nio.ByteBuffer.allocate(8).putLong(b * 1000L + i).array(), value);
          }
          db.write(sync, wb);
        }
      }
      return batches * 1000 / ((System.nanoTime() - start) / 1e9);
    } finally {
      StoreLoad.delete(dir);
    }
  }
}
