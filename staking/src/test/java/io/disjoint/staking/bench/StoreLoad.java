package io.disjoint.staking.bench;

import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.store.WriterStats;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The store half of {@link ReceiptBench}: receipts signed beforehand are appended through
 * {@link ReceiptStore#append} and count once their future completed (after the WAL-synced write
 * of their group-commit batch). Reports CPU per stored receipt by thread group, so the bench's
 * own work (signing happened before; the appenders' encode and hash are the store's API cost)
 * stays apart from the store's threads.
 */
final class StoreLoad {
  private StoreLoad() {}

  /**
   * As fast as {@code threads} appenders can go, at most 65,536 receipts in flight, after a
   * warm-up that stores half of them in a scratch store (so the JIT has compiled the store's
   * path and the figures are the steady state's).
   */
  static void saturate(PaymentReceipt[] receipts, ResponseAttestation[] attestations, int threads,
      StoreConfig config) throws Exception {
    Path scratch = Files.createTempDirectory("receipt-bench-warmup");
    try (ReceiptStore store = ReceiptStore.open(scratch, "disjoint-bench", config)) {
      // the same appender loop as below, so the JIT has compiled what the measured run runs
      appendAll(store, receipts, attestations, receipts.length / 2, threads);
    } finally {
      delete(scratch);
    }
    System.gc();
    int count = receipts.length;
    Path dir = Files.createTempDirectory("receipt-bench");
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-bench", config)) {
      ThreadCpu cpuBefore = ThreadCpu.snapshot();
      long processBefore = processCpuNanos();
      long start = System.nanoTime();
      Appended appended = appendAll(store, receipts, attestations, count, threads);
      double seconds = (System.nanoTime() - start) / 1e9;
      // flushes of memtables filled during the run finish after the last acknowledgement: count
      // them too (memtables not yet full are not flushed, so a short run still flatters this)
      awaitRocksQuiet(cpuBefore);
      long processNanos = processCpuNanos() - processBefore;
      Map<String, Long> byGroup = ThreadCpu.snapshot().since(cpuBefore);
      WriterStats stats = store.writerStats();
      System.out.printf("receipts durably stored (group commit, WAL synced): %,10.0f /s"
          + " (%d in %.2f s, %d failed)%n", count / seconds, count, seconds, appended.failed());
      // the appender threads have exited, so /proc no longer counts them in "other"
      System.out.printf("  CPU us per stored receipt: appenders (encode, hash, queue) %.1f | %s"
          + " | whole process %.1f%n", appended.cpuNanos() / 1e3 / count,
          ThreadCpu.perItem(byGroup, count), processNanos / 1e3 / count);
      System.out.printf("  store on disk: %.1f MB (%.0f B per receipt); %s; %.0f receipts per"
          + " batch, %.0f per WAL sync%n", sizeMb(dir), sizeMb(dir) * 1e6 / count, stats,
          stats.recordsPerBatch(), stats.recordsPerSync());
      System.out.printf("  %s%n", rocksActivity(dir));
    } finally {
      delete(dir);
    }
  }

  /** What {@link #appendAll} did: appends that failed, CPU of the appender threads. */
  private record Appended(long failed, long cpuNanos) {}

  /**
   * Appends receipts 0..count-1 from {@code threads} threads (thread t takes t, t + threads, ...),
   * at most 65,536 in flight, and returns once every append completed.
   */
  private static Appended appendAll(ReceiptStore store, PaymentReceipt[] receipts,
      ResponseAttestation[] attestations, int count, int threads) throws InterruptedException {
    Semaphore window = new Semaphore(65_536);
    AtomicLong failed = new AtomicLong();
    LongAdder appenderCpu = new LongAdder();
    Thread[] appenders = new Thread[threads];
    // index of the next receipt each appender will append: a node gets a gateway's receipts
    // about in signing order, so no appender runs more than MAX_LAG receipts ahead of the
    // slowest (without this, a descheduled appender on a busy machine fell seconds behind)
    AtomicLongArray next = new AtomicLongArray(threads);
    for (int t = 0; t < threads; t++) {
      next.set(t, t);
    }
    for (int t = 0; t < threads; t++) {
      int first = t;
      appenders[t] = new Thread(() -> {
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        for (int i = first; i < count; i += threads) {
          while (i - slowest(next, count) > MAX_LAG) {
            Thread.yield();
          }
          window.acquireUninterruptibly();
          store.append(receipts[i], attestations[i]).whenComplete((ok, err) -> {
            window.release();
            if (err != null) {
              failed.incrementAndGet();
            }
          });
          next.set(first, i + threads);
        }
        next.set(first, Long.MAX_VALUE);
        appenderCpu.add(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu);
      }, "bench-appender-" + t);
      appenders[t].start();
    }
    for (Thread a : appenders) {
      a.join();
    }
    window.acquire(65_536);
    return new Appended(failed.get(), appenderCpu.sum());
  }

  /** Most receipts an appender may run ahead of the slowest one (two batches). */
  private static final int MAX_LAG = 16_384;

  private static long slowest(AtomicLongArray next, int count) {
    long min = count;
    for (int t = 0; t < next.length(); t++) {
      min = Math.min(min, next.get(t));
    }
    return min;
  }

  /**
   * One appender offering {@code rate} receipts per second in 1 ms ticks: the relay path's
   * shape, where each fsync would otherwise carry a handful of receipts. Reports the
   * acknowledgement latency (append to completed future) and CPU per receipt by thread group.
   */
  static void paced(PaymentReceipt[] receipts, ResponseAttestation[] attestations, int rate,
      StoreConfig config) throws Exception {
    warmUpOneThread(receipts, attestations, config);
    System.gc();
    int count = receipts.length;
    long[] latency = new long[count];
    Path dir = Files.createTempDirectory("receipt-bench-paced");
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-bench", config)) {
      AtomicLong failed = new AtomicLong();
      CompletableFuture<?>[] futures = new CompletableFuture<?>[count];
      ThreadCpu cpuBefore = ThreadCpu.snapshot();
      long start = System.nanoTime();
      long tick = TimeUnit.MILLISECONDS.toNanos(1);
      int sent = 0;
      for (long t = 1; sent < count; t++) {
        long due = start + t * tick;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        int target = (int) Math.min(count, (long) rate * t / 1000);
        for (; sent < target; sent++) {
          int i = sent;
          long began = System.nanoTime();
          futures[i] = store.append(receipts[i], attestations[i]).whenComplete((ok, err) -> {
            latency[i] = System.nanoTime() - began;
            if (err != null) {
              failed.incrementAndGet();
            }
          });
        }
      }
      CompletableFuture.allOf(futures).exceptionally(e -> null).join();
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, Long> byGroup = ThreadCpu.snapshot().since(cpuBefore);
      WriterStats stats = store.writerStats();
      Arrays.sort(latency);
      System.out.printf("paced: %,d receipts offered at %,d /s over %.2f s, linger %s, %d failed,"
          + " %.1f receipts per batch, %.1f per WAL sync%n", count, rate, seconds,
          config.linger(), failed.get(), stats.recordsPerBatch(), stats.recordsPerSync());
      System.out.printf("  acknowledgement latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          latency[count / 2] / 1e6, latency[(int) (count * 0.99)] / 1e6, latency[count - 1] / 1e6);
      System.out.printf("  CPU us per stored receipt (\"other\" includes the appender): %s%n",
          ThreadCpu.perItem(byGroup, count));
      System.out.printf("  store threads (builder + writer + syncer + rocksdb bg): %.1f us per receipt%n",
          (byGroup.get("builder") + byGroup.get("writer") + byGroup.get("syncer")
              + byGroup.get("rocksdb bg")) / 1e3
              / count);
    } finally {
      delete(dir);
    }
  }

  /** Waits (at most 20 s) until RocksDB's background threads used no CPU for 500 ms. */
  static void awaitRocksQuiet(ThreadCpu since) throws Exception {
    long last = -1;
    for (int i = 0; i < 40; i++) {
      long now = ThreadCpu.snapshot().since(since).get("rocksdb bg");
      if (now == last) {
        return;
      }
      last = now;
      Thread.sleep(500);
    }
  }

  /** Stores half of the receipts in a scratch store, so the JIT has compiled the store's path. */
  private static void warmUpOneThread(PaymentReceipt[] receipts, ResponseAttestation[] attestations,
      StoreConfig config) throws Exception {
    Path scratch = Files.createTempDirectory("receipt-bench-warmup");
    try (ReceiptStore store = ReceiptStore.open(scratch, "disjoint-bench", config)) {
      int n = receipts.length / 2;
      CompletableFuture<?>[] f = new CompletableFuture<?>[n];
      for (int i = 0; i < n; i++) {
        f[i] = store.append(receipts[i], attestations[i]);
      }
      CompletableFuture.allOf(f).join();
    } finally {
      delete(scratch);
    }
  }

  private static final Pattern EVENT = Pattern.compile("\"event\": \"(flush_finished|compaction_finished)\"");
  private static final Pattern OUTPUT = Pattern.compile("\"total_output_size\": (\\d+)");
  private static final Pattern CPU_MICROS = Pattern.compile("\"compaction_time_cpu_micros\": (\\d+)");

  /**
   * Flushes and compactions of the run, from RocksDB's event log (the LOG file in the store's
   * directory): how much of "rocksdb bg" was compaction, i.e. data written more than once.
   */
  static String rocksActivity(Path dir) throws Exception {
    int flushes = 0;
    int compactions = 0;
    long compactedBytes = 0;
    long compactionCpuMicros = 0;
    for (String line : Files.readAllLines(dir.resolve("LOG"))) {
      Matcher e = EVENT.matcher(line);
      if (!e.find()) {
        continue;
      }
      if (e.group(1).equals("flush_finished")) {
        flushes++;
        continue;
      }
      compactions++;
      Matcher out = OUTPUT.matcher(line);
      Matcher cpu = CPU_MICROS.matcher(line);
      compactedBytes += out.find() ? Long.parseLong(out.group(1)) : 0;
      compactionCpuMicros += cpu.find() ? Long.parseLong(cpu.group(1)) : 0;
    }
    return String.format("rocksdb: %d memtable flushes, %d compactions writing %.1f MB (%.2f s CPU)",
        flushes, compactions, compactedBytes / 1e6, compactionCpuMicros / 1e6);
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double sizeMb(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() / 1e6;
    }
  }

  static void delete(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
