package io.disjoint.staking.store;

import io.disjoint.staking.receipt.Account;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of the group commit: makes written batches durable and only then acknowledges
 * them. The writer stage puts each batch into RocksDB without syncing (WAL record appended,
 * memtable filled) and hands it here; this thread takes every batch written so far, syncs the
 * WAL once ({@code FlushWAL(sync = true)}: everything appended before the call is on disk when it
 * returns) and completes their futures. So the next batch goes into the memtable while the
 * previous one is being synced, instead of after it.
 *
 * <p>A small batch with nothing behind it (relay rates) is synced by the writer itself
 * ({@link #syncOnCaller}): one thread hand-off less per fsync.
 *
 * <p>Batches reach RocksDB from one writer thread, so the WAL holds them in order and recovery
 * after a crash replays a prefix of whole batches; an acknowledged batch was synced, and so was
 * everything before it.
 */
final class WalSyncer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalSyncer.class);
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static final long IDLE_POLL_MILLIS = 50;

  /** A batch that is in the WAL (not yet synced) and the memtable. */
  record Written(List<CompletableFuture<Void>> accepted, Map<Account, BigInteger> exposureDeltas,
      int records) {}

  private final RocksDB db;
  private final LinkedBlockingQueue<Written> written = new LinkedBlockingQueue<>();
  private final ConcurrentHashMap<Account, BigInteger> unvouchered;
  private final Supplier<ReceiptWriteException> writerFailure;
  private final Consumer<ReceiptWriteException> onFailure;
  private final Semaphore unsyncedBatches;
  private final Thread thread;
  private final LongAdder syncs = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder records = new LongAdder();
  private final LongAdder syncNanos = new LongAdder();
  private final LongAdder syncCpuNanos = new LongAdder();
  private volatile boolean writerDone;

  /**
   * @param writerFailure the writer's first failure, or null: once there is one, nothing this
   *     thread has not acknowledged yet is acknowledged (the failed batch is among them, since
   *     the writer records its failure before handing the batch over)
   * @param onFailure told when a sync fails, so that the writer refuses everything after it
   * @param unsyncedBatches released once for each batch acknowledged or failed here
   */
  WalSyncer(RocksDB db, ConcurrentHashMap<Account, BigInteger> unvouchered,
      Supplier<ReceiptWriteException> writerFailure, Consumer<ReceiptWriteException> onFailure,
      Semaphore unsyncedBatches) {
    this.db = db;
    this.unvouchered = unvouchered;
    this.writerFailure = writerFailure;
    this.onFailure = onFailure;
    this.unsyncedBatches = unsyncedBatches;
    this.thread = new Thread(this::run, "receipt-store-syncer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Called by the writer thread after the batch's {@code db.write} returned. */
  void written(Written w) {
    written.add(w);
  }

  /**
   * Syncs and acknowledges {@code w} on the calling thread (the writer, after its
   * {@code db.write} returned), for a small batch with nothing behind it: at relay rates the
   * hand-off to this thread cost more CPU than the overlap it buys. A sync running here and one
   * on this thread at the same time are both fine: each covers what was appended before it.
   */
  void syncOnCaller(Written w) {
    sync(List.of(w));
  }

  /** The writer wrote its last batch: sync what is left and stop. */
  void writerDone() {
    writerDone = true;
  }

  private void run() {
    List<Written> group = new ArrayList<>();
    try {
      while (true) {
        Written first = written.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (writerDone && written.isEmpty()) {
            return;
          }
          continue;
        }
        group.add(first);
        written.drainTo(group);
        sync(group);
        group.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void sync(List<Written> group) {
    ReceiptWriteException failure = writerFailure.get();
    if (failure == null) {
      long started = System.nanoTime();
      long cpuStarted = CPU.getCurrentThreadCpuTime();
      try {
        db.flushWal(true);
      } catch (RocksDBException e) {
        onFailure.accept(new ReceiptWriteException(ReceiptWriteException.Reason.IO,
            "WAL sync failed, nothing written since the last sync is acknowledged: "
                + e.getMessage(), e));
        LOG.error("receipt store WAL sync failed", e);
      }
      syncNanos.add(System.nanoTime() - started);
      syncCpuNanos.add(CPU.getCurrentThreadCpuTime() - cpuStarted);
      // read again after the sync: a batch of this group may have failed in the writer
      failure = writerFailure.get();
    }
    if (failure != null) {
      ReceiptWriteException f = failure;
      group.forEach(w -> w.accepted().forEach(a -> a.completeExceptionally(f)));
      unsyncedBatches.release(group.size());
      return;
    }
    syncs.increment();
    for (Written w : group) {
      batches.increment();
      records.add(w.records());
      w.exposureDeltas().forEach((payer, delta) -> {
        if (delta.signum() != 0) {
          unvouchered.merge(payer, delta, BigInteger::add);
        }
      });
      for (CompletableFuture<Void> f : w.accepted()) {
        f.complete(null);
      }
    }
    unsyncedBatches.release(group.size());
  }

  long syncs() {
    return syncs.sum();
  }

  long batches() {
    return batches.sum();
  }

  long records() {
    return records.sum();
  }

  long syncNanos() {
    return syncNanos.sum();
  }

  long syncCpuNanos() {
    return syncCpuNanos.sum();
  }

  /** Waits for the thread to sync what the writer wrote (call after {@link #writerDone}). */
  @Override
  public void close() {
    writerDone = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
