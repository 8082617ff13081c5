package io.disjoint.staking.store;

import io.disjoint.staking.receipt.Account;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's only writer: one thread drains a queue, folds everything pending (up to
 * {@code maxBatch}) into one WriteBatch, writes it with the WAL synced, and only then completes
 * the callers' futures. One fsync is shared by the whole batch, which is what makes hundreds of
 * thousands of durable receipts per second possible. Being the only writer also makes the
 * read-modify-write of running totals safe without locks.
 */
final class GroupCommitWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

  /** A queued write. */
  sealed interface Task permits Append, Mutation {}

  record Append(byte[] receiptKey, byte[] seenKey, byte[] value, long epoch, Account payer,
      long computeUnits, BigInteger amount, CompletableFuture<Void> done) implements Task {}

  /** Any other change; runs on the writer thread inside the next batch. */
  record Mutation(MutationBody body, CompletableFuture<Void> done) implements Task {}

  @FunctionalInterface
  interface MutationBody {
    void apply(Batch batch) throws RocksDBException;
  }

  record TotalsKey(long epoch, Account payer) {}

  /** What a mutation may touch: the batch being built and the running totals. */
  final class Batch {
    final WriteBatch writes;
    final Map<TotalsKey, EpochPayerTotals> dirty = new HashMap<>();
    final List<EpochPayerTotals> removed = new ArrayList<>();

    Batch(WriteBatch writes) {
      this.writes = writes;
    }

    EpochPayerTotals totals(long epoch, Account payer) throws RocksDBException {
      TotalsKey k = new TotalsKey(epoch, payer);
      EpochPayerTotals t = dirty.get(k);
      return t != null ? t : committedTotals(k);
    }

    void put(EpochPayerTotals t) {
      dirty.put(new TotalsKey(t.epoch(), t.payer()), t);
    }
  }

  private final RocksDB db;
  private final ColumnFamilyHandle receipts;
  private final ColumnFamilyHandle seen;
  private final ColumnFamilyHandle totals;
  private final int maxBatch;
  private final BlockingQueue<Task> queue;
  private final Map<TotalsKey, EpochPayerTotals> cache = new HashMap<>();
  private final ConcurrentHashMap<Account, BigInteger> unvouchered;
  private final Thread thread;
  private final java.util.concurrent.atomic.LongAdder batches = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder records = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder buildNanos = new java.util.concurrent.atomic.LongAdder();
  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();
  private final java.util.concurrent.atomic.LongAdder buildCpuNanos = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder syncNanos = new java.util.concurrent.atomic.LongAdder();
  private volatile boolean closing;
  private volatile ReceiptWriteException failure;

  GroupCommitWriter(RocksDB db, ColumnFamilyHandle receipts, ColumnFamilyHandle seen,
      ColumnFamilyHandle totals, StoreConfig config,
      ConcurrentHashMap<Account, BigInteger> unvouchered) {
    this.db = db;
    this.receipts = receipts;
    this.seen = seen;
    this.totals = totals;
    this.maxBatch = config.maxBatch();
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.unvouchered = unvouchered;
    this.thread = new Thread(this::run, "receipt-store-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  void submit(Task task) {
    ReceiptWriteException f = failure;
    if (f != null || closing) {
      done(task).completeExceptionally(f != null ? f
          : new ReceiptWriteException(ReceiptWriteException.Reason.STORE_UNAVAILABLE, "receipt store is closed"));
      return;
    }
    try {
      queue.put(task);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done(task).completeExceptionally(new ReceiptWriteException(
          ReceiptWriteException.Reason.STORE_UNAVAILABLE, "interrupted while queueing"));
    }
  }

  private static CompletableFuture<Void> done(Task t) {
    return t instanceof Append a ? a.done() : ((Mutation) t).done();
  }

  private EpochPayerTotals committedTotals(TotalsKey k) throws RocksDBException {
    EpochPayerTotals t = cache.get(k);
    if (t == null) {
      byte[] v = db.get(totals, StoreKeys.epochPayer(k.epoch(), k.payer()));
      t = v == null ? EpochPayerTotals.empty(k.epoch(), k.payer())
          : EpochPayerTotals.decodeValue(k.epoch(), k.payer(), v);
      cache.put(k, t);
    }
    return t;
  }

  /**
   * One multi-get for the whole batch (seen id, receipt key per append): one JNI crossing
   * instead of two per receipt. A mutation earlier in the same batch (a range delete) is not
   * reflected; appends for epochs being deleted are not expected.
   */
  private List<byte[]> lookUpAll(List<Task> tasks) throws RocksDBException {
    List<ColumnFamilyHandle> cfs = new ArrayList<>(tasks.size() * 2);
    List<byte[]> keys = new ArrayList<>(tasks.size() * 2);
    for (Task t : tasks) {
      if (t instanceof Append a) {
        cfs.add(seen);
        keys.add(a.seenKey());
        cfs.add(receipts);
        keys.add(a.receiptKey());
      }
    }
    return keys.isEmpty() ? List.of() : db.multiGetAsList(cfs, keys);
  }

  private void run() {
    List<Task> tasks = new ArrayList<>(maxBatch);
    while (true) {
      try {
        Task first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        tasks.add(first);
        queue.drainTo(tasks, maxBatch - 1);
        if (failure != null) {
          tasks.forEach(t -> done(t).completeExceptionally(failure));
        } else {
          commit(tasks);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("receipt store writer failed; refusing further writes", e);
        failure = new ReceiptWriteException(ReceiptWriteException.Reason.IO,
            "receipt store writer failed: " + e.getMessage(), e);
        tasks.forEach(t -> done(t).completeExceptionally(failure));
      } finally {
        tasks.clear();
      }
    }
  }

  private void commit(List<Task> tasks) {
    long started = System.nanoTime();
    long cpuStarted = CPU.getCurrentThreadCpuTime();
    List<CompletableFuture<Void>> accepted = new ArrayList<>(tasks.size());
    Set<ByteBuffer> batchIds = new HashSet<>();
    Set<ByteBuffer> batchKeys = new HashSet<>();
    try (WriteBatch wb = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
      Batch batch = new Batch(wb);
      List<byte[]> stored = lookUpAll(tasks);
      int looked = 0;
      for (Task t : tasks) {
        if (t instanceof Append a) {
          ByteBuffer id = ByteBuffer.wrap(a.seenKey());
          ByteBuffer key = ByteBuffer.wrap(a.receiptKey());
          boolean seenBefore = stored.get(looked++) != null;
          boolean keyTaken = stored.get(looked++) != null;
          if (batchIds.contains(id) || seenBefore) {
            a.done().completeExceptionally(new ReceiptWriteException(
                ReceiptWriteException.Reason.DUPLICATE_RECEIPT,
                "receipt already stored (replay) from payer " + a.payer()));
            continue;
          }
          if (batchKeys.contains(key) || keyTaken) {
            a.done().completeExceptionally(new ReceiptWriteException(
                ReceiptWriteException.Reason.NONCE_REUSED,
                "payer " + a.payer() + " reused a (timestamp, nonce) with different contents"));
            continue;
          }
          batchIds.add(id);
          batchKeys.add(key);
          wb.put(receipts, a.receiptKey(), a.value());
          wb.put(seen, a.seenKey(), a.receiptKey());
          batch.put(batch.totals(a.epoch(), a.payer()).plusReceipt(a.computeUnits(), a.amount()));
          accepted.add(a.done());
        } else {
          Mutation m = (Mutation) t;
          Map<TotalsKey, EpochPayerTotals> before = new HashMap<>(batch.dirty);
          int removedBefore = batch.removed.size();
          wb.setSavePoint();
          try {
            m.body().apply(batch);
            accepted.add(m.done());
          } catch (RuntimeException e) {
            wb.rollbackToSavePoint();
            batch.dirty.clear();
            batch.dirty.putAll(before);
            batch.removed.subList(removedBefore, batch.removed.size()).clear();
            m.done().completeExceptionally(e);
          }
        }
      }
      for (Map.Entry<TotalsKey, EpochPayerTotals> e : batch.dirty.entrySet()) {
        wb.put(totals, StoreKeys.epochPayer(e.getKey().epoch(), e.getKey().payer()),
            e.getValue().encodeValue());
      }
      long built = System.nanoTime();
      buildCpuNanos.add(CPU.getCurrentThreadCpuTime() - cpuStarted);
      if (wb.count() > 0) {
        db.write(sync, wb);
      }
      syncNanos.add(System.nanoTime() - built);
      buildNanos.add(built - started);
      batches.increment();
      records.add(tasks.size());
      publish(batch);
    } catch (RocksDBException e) {
      failure = new ReceiptWriteException(ReceiptWriteException.Reason.IO,
          "synced write failed, nothing in this batch is stored: " + e.getMessage(), e);
      LOG.error("receipt store write failed", e);
      for (Task t : tasks) {
        done(t).completeExceptionally(failure);
      }
      return;
    }
    for (CompletableFuture<Void> f : accepted) {
      f.complete(null);
    }
  }

  /** After a durable write: move the batch's totals into the cache and the per-payer exposure. */
  private void publish(Batch batch) {
    for (EpochPayerTotals old : batch.removed) {
      cache.remove(new TotalsKey(old.epoch(), old.payer()));
      unvouchered.merge(old.payer(), old.unvoucheredValue().negate(), BigInteger::add);
    }
    for (Map.Entry<TotalsKey, EpochPayerTotals> e : batch.dirty.entrySet()) {
      EpochPayerTotals old = cache.put(e.getKey(), e.getValue());
      BigInteger before = old == null ? BigInteger.ZERO : old.unvoucheredValue();
      BigInteger delta = e.getValue().unvoucheredValue().subtract(before);
      if (delta.signum() != 0) {
        unvouchered.merge(e.getKey().payer(), delta, BigInteger::add);
      }
    }
  }

  /** Drops cached totals of removed epochs (called from a mutation that range-deletes them). */
  void forgetEpochsBefore(Batch batch, long epoch) throws RocksDBException {
    try (org.rocksdb.RocksIterator it = db.newIterator(totals)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        long e = StoreKeys.readU64(k, 0);
        if (e >= epoch) {
          break;
        }
        Account payer = new Account(org.apache.tuweni.bytes.Bytes.wrap(k, 8, Account.SIZE));
        batch.removed.add(committedTotals(new TotalsKey(e, payer)));
      }
    }
    batch.dirty.keySet().removeIf(k -> k.epoch() < epoch);
  }

  WriterStats stats() {
    return new WriterStats(batches.sum(), records.sum(), buildNanos.sum() / 1_000_000,
        buildCpuNanos.sum() / 1_000_000, syncNanos.sum() / 1_000_000);
  }

  @Override
  public void close() {
    closing = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Task t;
    while ((t = queue.poll()) != null) {
      done(t).completeExceptionally(new ReceiptWriteException(
          ReceiptWriteException.Reason.STORE_UNAVAILABLE, "receipt store closed"));
    }
  }
}
