package io.disjoint.staking.store;

import io.disjoint.staking.receipt.Account;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.tuweni.bytes.Bytes;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's only writer, as a two-stage pipeline. The builder thread drains the queue, folds
 * everything pending (up to {@code maxBatch}) into one WriteBatch (dedup lookups, running
 * totals) and hands it to the syncer thread, which writes it with the WAL synced and only then
 * completes the callers' futures. One fsync is shared by the whole batch, and the next batch is
 * built while the previous one is being written.
 *
 * <p>The builder is the only owner of the running totals, so their read-modify-write needs no
 * locks; it sees batches still in flight through their id and key sets. If a synced write
 * fails, nothing after it is acknowledged: the store refuses every later write.
 */
final class GroupCommitWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  /** A queued write. */
  sealed interface Task permits Append, Mutation {}

  record Append(byte[] receiptKey, byte[] seenKey, byte[] value, long epoch, Account payer,
      long computeUnits, BigInteger amount, CompletableFuture<Void> done) implements Task {}

  /** Any other change; runs on the builder thread inside the next batch. */
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
      return t != null ? t : knownTotals(k);
    }

    void put(EpochPayerTotals t) {
      dirty.put(new TotalsKey(t.epoch(), t.payer()), t);
    }
  }

  /** A built batch on its way to disk. */
  private record Built(WriteBatch writes, List<CompletableFuture<Void>> accepted,
      Set<ByteBuffer> ids, Set<ByteBuffer> keys, Map<Account, BigInteger> exposureDeltas,
      int records) {}

  private final RocksDB db;
  private final ColumnFamilyHandle receipts;
  private final ColumnFamilyHandle seen;
  private final ColumnFamilyHandle totals;
  private final int maxBatch;
  private final BlockingQueue<Task> queue;
  private final BlockingQueue<Built> toSync = new ArrayBlockingQueue<>(1);
  private final ConcurrentLinkedDeque<Built> inFlight = new ConcurrentLinkedDeque<>();
  /** Totals as of the last built batch (builder thread only). */
  private final Map<TotalsKey, EpochPayerTotals> cache = new HashMap<>();
  private final ConcurrentHashMap<Account, BigInteger> unvouchered;
  private final Thread builder;
  private final Thread syncer;
  private final LongAdder batches = new LongAdder();
  private final LongAdder records = new LongAdder();
  private final LongAdder buildNanos = new LongAdder();
  private final LongAdder buildCpuNanos = new LongAdder();
  private final LongAdder syncNanos = new LongAdder();
  private final LongAdder syncCpuNanos = new LongAdder();
  private volatile boolean closing;
  private volatile boolean builderDone;
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
    this.builder = new Thread(this::buildLoop, "receipt-store-builder");
    this.syncer = new Thread(this::syncLoop, "receipt-store-syncer");
    builder.setDaemon(true);
    syncer.setDaemon(true);
    builder.start();
    syncer.start();
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

  private EpochPayerTotals knownTotals(TotalsKey k) throws RocksDBException {
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

  private void fail(Task t) {
    done(t).completeExceptionally(failure);
  }

  private void buildLoop() {
    List<Task> tasks = new ArrayList<>(maxBatch);
    try {
      while (true) {
        Task first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        tasks.add(first);
        queue.drainTo(tasks, maxBatch - 1);
        try {
          if (failure != null) {
            tasks.forEach(this::fail);
          } else {
            Built b = build(tasks);
            inFlight.add(b);
            toSync.put(b);
          }
        } catch (RocksDBException | RuntimeException e) {
          LOG.error("receipt store builder failed; refusing further writes", e);
          failure = new ReceiptWriteException(ReceiptWriteException.Reason.IO,
              "receipt store writer failed: " + e.getMessage(), e);
          tasks.forEach(this::fail);
        } finally {
          tasks.clear();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      builderDone = true;
    }
  }

  private Built build(List<Task> tasks) throws RocksDBException {
    long started = System.nanoTime();
    long cpuStarted = CPU.getCurrentThreadCpuTime();
    // snapshot batches not yet on disk BEFORE the lookups: a batch that leaves this set was
    // written first, so the lookups below see it
    List<Built> pending = List.copyOf(inFlight);
    List<byte[]> stored = lookUpAll(tasks);
    List<CompletableFuture<Void>> accepted = new ArrayList<>(tasks.size());
    Set<ByteBuffer> ids = new HashSet<>();
    Set<ByteBuffer> keys = new HashSet<>();
    WriteBatch wb = new WriteBatch();
    Batch batch = new Batch(wb);
    int looked = 0;
    for (Task t : tasks) {
      if (t instanceof Append a) {
        ByteBuffer id = ByteBuffer.wrap(a.seenKey());
        ByteBuffer key = ByteBuffer.wrap(a.receiptKey());
        boolean seenBefore = stored.get(looked++) != null || inAny(pending, id, true);
        boolean keyTaken = stored.get(looked++) != null || inAny(pending, key, false);
        if (seenBefore || ids.contains(id)) {
          a.done().completeExceptionally(new ReceiptWriteException(
              ReceiptWriteException.Reason.DUPLICATE_RECEIPT,
              "receipt already stored (replay) from payer " + a.payer()));
          continue;
        }
        if (keyTaken || keys.contains(key)) {
          a.done().completeExceptionally(new ReceiptWriteException(
              ReceiptWriteException.Reason.NONCE_REUSED,
              "payer " + a.payer() + " reused a (timestamp, nonce) with different contents"));
          continue;
        }
        ids.add(id);
        keys.add(key);
        wb.put(receipts, a.receiptKey(), a.value());
        wb.put(seen, a.seenKey(), a.receiptKey());
        batch.put(batch.totals(a.epoch(), a.payer()).plusReceipt(a.computeUnits(), a.amount()));
        accepted.add(a.done());
      } else {
        applyMutation((Mutation) t, batch, accepted);
      }
    }
    Map<Account, BigInteger> deltas = new HashMap<>();
    for (EpochPayerTotals old : batch.removed) {
      cache.remove(new TotalsKey(old.epoch(), old.payer()));
      deltas.merge(old.payer(), old.unvoucheredValue().negate(), BigInteger::add);
    }
    for (Map.Entry<TotalsKey, EpochPayerTotals> e : batch.dirty.entrySet()) {
      wb.put(totals, StoreKeys.epochPayer(e.getKey().epoch(), e.getKey().payer()),
          e.getValue().encodeValue());
      EpochPayerTotals old = cache.put(e.getKey(), e.getValue());
      BigInteger before = old == null ? BigInteger.ZERO : old.unvoucheredValue();
      deltas.merge(e.getKey().payer(), e.getValue().unvoucheredValue().subtract(before), BigInteger::add);
    }
    buildNanos.add(System.nanoTime() - started);
    buildCpuNanos.add(CPU.getCurrentThreadCpuTime() - cpuStarted);
    return new Built(wb, accepted, ids, keys, deltas, tasks.size());
  }

  private static boolean inAny(List<Built> pending, ByteBuffer k, boolean id) {
    for (Built b : pending) {
      if ((id ? b.ids() : b.keys()).contains(k)) {
        return true;
      }
    }
    return false;
  }

  private void applyMutation(Mutation m, Batch batch, List<CompletableFuture<Void>> accepted)
      throws RocksDBException {
    Map<TotalsKey, EpochPayerTotals> before = new HashMap<>(batch.dirty);
    int removedBefore = batch.removed.size();
    batch.writes.setSavePoint();
    try {
      m.body().apply(batch);
      accepted.add(m.done());
    } catch (RuntimeException e) {
      batch.writes.rollbackToSavePoint();
      batch.dirty.clear();
      batch.dirty.putAll(before);
      batch.removed.subList(removedBefore, batch.removed.size()).clear();
      m.done().completeExceptionally(e);
    }
  }

  private void syncLoop() {
    try (WriteOptions sync = new WriteOptions().setSync(true)) {
      while (true) {
        Built b = toSync.poll(50, TimeUnit.MILLISECONDS);
        if (b == null) {
          if (builderDone && toSync.isEmpty()) {
            return;
          }
          continue;
        }
        write(b, sync);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(Built b, WriteOptions sync) {
    try (WriteBatch wb = b.writes()) {
      if (failure != null) {
        b.accepted().forEach(f -> f.completeExceptionally(failure));
        return;
      }
      long started = System.nanoTime();
      long cpuStarted = CPU.getCurrentThreadCpuTime();
      try {
        if (wb.count() > 0) {
          db.write(sync, wb);
        }
      } catch (RocksDBException e) {
        failure = new ReceiptWriteException(ReceiptWriteException.Reason.IO,
            "synced write failed, nothing in this batch is stored: " + e.getMessage(), e);
        LOG.error("receipt store write failed", e);
        b.accepted().forEach(f -> f.completeExceptionally(failure));
        return;
      }
      syncNanos.add(System.nanoTime() - started);
      syncCpuNanos.add(CPU.getCurrentThreadCpuTime() - cpuStarted);
      batches.increment();
      records.add(b.records());
      b.exposureDeltas().forEach((payer, delta) -> {
        if (delta.signum() != 0) {
          unvouchered.merge(payer, delta, BigInteger::add);
        }
      });
    } finally {
      inFlight.remove(b);
    }
    for (CompletableFuture<Void> f : b.accepted()) {
      f.complete(null);
    }
  }

  /** Marks totals of removed epochs (called from a mutation that range-deletes them). */
  void forgetEpochsBefore(Batch batch, long epoch) throws RocksDBException {
    Set<TotalsKey> found = new HashSet<>();
    try (RocksIterator it = db.newIterator(totals)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        long e = StoreKeys.readU64(k, 0);
        if (e >= epoch) {
          break;
        }
        found.add(new TotalsKey(e, new Account(Bytes.wrap(k, 8, Account.SIZE))));
      }
    }
    for (TotalsKey k : cache.keySet()) {
      if (k.epoch() < epoch) {
        found.add(k);
      }
    }
    for (TotalsKey k : found) {
      batch.removed.add(knownTotals(k));
    }
    batch.dirty.keySet().removeIf(k -> k.epoch() < epoch);
  }

  WriterStats stats() {
    return new WriterStats(batches.sum(), records.sum(), buildNanos.sum() / 1_000_000,
        buildCpuNanos.sum() / 1_000_000, syncNanos.sum() / 1_000_000,
        syncCpuNanos.sum() / 1_000_000);
  }

  @Override
  public void close() {
    closing = true;
    try {
      builder.join(10_000);
      syncer.join(10_000);
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
