package io.disjoint.staking.store;

import io.disjoint.staking.receipt.Account;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
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
 * The store's only writer, as a three-stage pipeline. The builder thread drains the queue, folds
 * everything pending (up to {@code maxBatch}) into one WriteBatch (dedup lookups, running
 * totals) and hands it to the writer thread, which puts it into RocksDB without syncing (WAL
 * record appended, memtables filled); the {@link WalSyncer} thread then syncs the WAL once for
 * every batch written so far and only then completes the callers' futures. One fsync is shared
 * by whole batches, the next batch is built while the previous one is written, and written while
 * the one before is synced. One writer thread keeps the batches in order in the WAL.
 *
 * <p>The builder is the only owner of the running totals, so their read-modify-write needs no
 * locks. Duplicate and nonce-reuse checks mostly run against {@link AcceptedReceiptKeys} (the
 * keys this writer accepted, including batches still in flight); only receipts older than what
 * that memory covers are looked up in RocksDB. If a write or a sync fails, nothing after it is
 * acknowledged: the store refuses every later write.
 *
 * <p>Linger: a batch that is not full waits until its oldest write has been queued for
 * {@code linger} before it is built, so at relay rates one fsync carries tens of receipts instead
 * of a few. A full batch never waits, and the wait is counted from when the oldest write was
 * queued, so a write is never held back more than {@code linger} beyond its turn.
 */
final class GroupCommitWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  /** A queued write. */
  sealed interface Task permits Append, Mutation {}

  /**
   * A receipt to store: its keys and value, the (epoch, payer) it counts for, the timestamp and
   * nonce (as two longs) of its receipts key, and when it was queued ({@link System#nanoTime}).
   */
  record Append(byte[] receiptKey, byte[] seenKey, byte[] value, TotalsKey group,
      long timestampMs, long nonceHigh, long nonceLow, long computeUnits, BigInteger amount,
      long queuedNanos, CompletableFuture<Void> done) implements Task {}

  /** Any other change; runs on the builder thread inside the next batch. */
  record Mutation(MutationBody body, long queuedNanos, CompletableFuture<Void> done)
      implements Task {}

  @FunctionalInterface
  interface MutationBody {
    void apply(Batch batch) throws RocksDBException;
  }

  record TotalsKey(long epoch, Account payer) {}

  /** What a mutation may touch: the batch being built and the running totals. */
  final class Batch {
    private final BatchWrites writes;
    final Map<TotalsKey, EpochPayerTotals> dirty = new HashMap<>();
    final List<EpochPayerTotals> removed = new ArrayList<>();

    /** A batch for {@code writes} queued writes (sizes its buffer: ~800 B per receipt). */
    Batch(int writes) {
      this.writes = new BatchWrites(HEADER_GUESS + writes * BYTES_PER_APPEND_GUESS);
    }

    /** The batch's RocksDB WriteBatch, for writes other than the builder's own puts. */
    WriteBatch writes() {
      return writes.writeBatch();
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

  /**
   * Built batches that may be on their way to disk at once: one in the writer's hand-off, one
   * being written, the rest written and waiting for (or in) the WAL sync.
   */
  static final int MAX_UNSYNCED_BATCHES = 4;
  private static final int HEADER_GUESS = 1024;
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final int BYTES_PER_APPEND_GUESS = 800;

  /** A built batch on its way to disk. */
  private record Built(WriteBatch writes, List<CompletableFuture<Void>> accepted,
      Map<Account, BigInteger> exposureDeltas, int records) {}

  private final RocksDB db;
  private final ColumnFamilyHandle receipts;
  private final ColumnFamilyHandle seen;
  private final ColumnFamilyHandle totals;
  private final int receiptsId;
  private final int seenId;
  private final int totalsId;
  private final int maxBatch;
  private final WriteQueue<Task> queue;
  private final BlockingQueue<Built> toWrite = new ArrayBlockingQueue<>(1);
  /** Built batches not yet synced (or failed): bounds what {@link AcceptedReceiptKeys} must keep. */
  private final Semaphore unsyncedBatches = new Semaphore(MAX_UNSYNCED_BATCHES);
  private final WalSyncer walSyncer;
  private final long lingerNanos;
  private final AcceptedReceiptKeys acceptedKeys;
  /** Totals as of the last built batch (builder thread only). */
  private final Map<TotalsKey, EpochPayerTotals> cache = new HashMap<>();
  private final ConcurrentHashMap<Account, BigInteger> unvouchered;
  private final Thread builder;
  private final Thread writer;
  private final LongAdder buildNanos = new LongAdder();
  private final LongAdder buildCpuNanos = new LongAdder();
  private final LongAdder writeNanos = new LongAdder();
  private final LongAdder writeCpuNanos = new LongAdder();
  private final LongAdder lingerNanosSpent = new LongAdder();
  private final LongAdder storeLookups = new LongAdder();
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
    this.receiptsId = receipts.getID();
    this.seenId = seen.getID();
    this.totalsId = totals.getID();
    this.maxBatch = config.maxBatch();
    this.queue = new WriteQueue<>(config.queueCapacity());
    this.lingerNanos = config.linger().toNanos();
    this.acceptedKeys = AcceptedReceiptKeys.forBatchesOf(maxBatch, MAX_UNSYNCED_BATCHES,
        this::newestTimestamp);
    this.unvouchered = unvouchered;
    this.builder = new Thread(this::buildLoop, "receipt-store-builder");
    this.walSyncer = new WalSyncer(db, unvouchered, () -> failure, this::failed, unsyncedBatches);
    this.writer = new Thread(this::writeLoop, "receipt-store-writer");
    builder.setDaemon(true);
    writer.setDaemon(true);
    builder.start();
    writer.start();
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

  /** Newest receipt timestamp stored for (epoch, payer), or -1: the last key of its prefix. */
  private long newestTimestamp(long epoch, Account payer) {
    byte[] prefix = StoreKeys.epochPayer(epoch, payer);
    byte[] last = Arrays.copyOf(prefix, StoreKeys.RECEIPT_KEY_SIZE);
    Arrays.fill(last, prefix.length, last.length, (byte) 0xff);
    try (RocksIterator it = db.newIterator(receipts)) {
      it.seekForPrev(last);
      if (it.isValid()) {
        byte[] k = it.key();
        if (k.length == StoreKeys.RECEIPT_KEY_SIZE
            && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
          return StoreKeys.readU64(k, prefix.length);
        }
      }
      return -1;
    }
  }

  /**
   * One multi-get (seen id, receipt key) for the appends memory cannot vouch for: one JNI
   * crossing for all of them. Returns two results per such append, in order. A mutation earlier
   * in the same batch (a range delete) is not reflected; appends for epochs being deleted are
   * not expected.
   */
  private List<byte[]> lookUp(List<Append> unknown) throws RocksDBException {
    if (unknown.isEmpty()) {
      return List.of();
    }
    List<ColumnFamilyHandle> cfs = new ArrayList<>(unknown.size() * 2);
    List<byte[]> keys = new ArrayList<>(unknown.size() * 2);
    for (Append a : unknown) {
      cfs.add(seen);
      keys.add(a.seenKey());
      cfs.add(receipts);
      keys.add(a.receiptKey());
    }
    storeLookups.add(unknown.size());
    return db.multiGetAsList(cfs, keys);
  }

  private void fail(Task t) {
    done(t).completeExceptionally(failure);
  }

  private void buildLoop() {
    List<Task> tasks = new ArrayList<>(maxBatch);
    try {
      while (true) {
        if (queue.drainTo(tasks, maxBatch) == 0) {
          if (closing && queue.isEmpty()) {
            return;
          }
          queue.awaitLength(1, IDLE_WAIT_NANOS);
          continue;
        }
        linger(tasks, queuedNanos(tasks.get(0)));
        try {
          if (failure != null) {
            tasks.forEach(this::fail);
          } else {
            unsyncedBatches.acquire();
            Built built;
            try {
              built = build(tasks);
            } catch (RocksDBException | RuntimeException e) {
              unsyncedBatches.release();
              throw e;
            }
            toWrite.put(built);
          }
        } catch (RocksDBException | RuntimeException e) {
          LOG.error("receipt store builder failed; refusing further writes", e);
          failed(new ReceiptWriteException(ReceiptWriteException.Reason.IO,
              "receipt store writer failed: " + e.getMessage(), e));
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

  private static long queuedNanos(Task t) {
    return t instanceof Append a ? a.queuedNanos() : ((Mutation) t).queuedNanos();
  }

  /** Waits (at most until the oldest write has been queued for linger) for a fuller batch. */
  private void linger(List<Task> tasks, long oldestQueued) {
    if (lingerNanos == 0 || tasks.size() >= maxBatch) {
      return;
    }
    long deadline = oldestQueued + lingerNanos;
    long started = System.nanoTime();
    long now = started;
    while (now < deadline && tasks.size() < maxBatch && !closing) {
      queue.awaitLength(maxBatch - tasks.size(), deadline - now);
      queue.drainTo(tasks, maxBatch - tasks.size());
      now = System.nanoTime();
    }
    lingerNanosSpent.add(now - started);
  }

  private Built build(List<Task> tasks) throws RocksDBException {
    long started = System.nanoTime();
    long cpuStarted = CPU.getCurrentThreadCpuTime();
    acceptedKeys.rotateIfFull();
    AcceptedReceiptKeys.Group[] groups = new AcceptedReceiptKeys.Group[tasks.size()];
    List<Append> unknown = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      if (tasks.get(i) instanceof Append a) {
        groups[i] = acceptedKeys.group(a.group());
        if (AcceptedReceiptKeys.mustAskStore(groups[i], a.timestampMs())) {
          unknown.add(a);
        }
      }
    }
    List<byte[]> stored = lookUp(unknown);
    List<CompletableFuture<Void>> accepted = new ArrayList<>(tasks.size());
    Batch batch = new Batch(tasks.size());
    List<AcceptedReceiptKeys.Group> touched = new ArrayList<>();
    List<Append> toWrite = new ArrayList<>(tasks.size());
    int looked = 0;
    for (int i = 0; i < tasks.size(); i++) {
      if (!(tasks.get(i) instanceof Append a)) {
        foldPending(touched, batch);
        putSorted(toWrite, batch.writes);
        applyMutation((Mutation) tasks.get(i), batch, accepted);
        continue;
      }
      AcceptedReceiptKeys.Group g = groups[i];
      AcceptedReceiptKeys.Verdict v = acceptedKeys.check(g, a.timestampMs(), a.nonceHigh(),
          a.nonceLow(), a.seenKey());
      if (AcceptedReceiptKeys.mustAskStore(g, a.timestampMs())) {
        boolean seenBefore = stored.get(looked++) != null;
        boolean keyTaken = stored.get(looked++) != null;
        if (v == AcceptedReceiptKeys.Verdict.UNKNOWN) {
          v = seenBefore ? AcceptedReceiptKeys.Verdict.DUPLICATE
              : keyTaken ? AcceptedReceiptKeys.Verdict.NONCE_REUSED
              : AcceptedReceiptKeys.Verdict.NEW;
        }
      }
      if (v != AcceptedReceiptKeys.Verdict.NEW) {
        reject(a, v);
        continue;
      }
      acceptedKeys.remember(g, a.timestampMs(), a.nonceHigh(), a.nonceLow(), a.seenKey());
      toWrite.add(a);
      if (g.pendingCount == 0) {
        touched.add(g);
      }
      g.pendingCount++;
      g.pendingComputeUnits = Math.addExact(g.pendingComputeUnits, a.computeUnits());
      g.pendingValue = g.pendingValue.add(a.amount());
      accepted.add(a.done());
    }
    foldPending(touched, batch);
    putSorted(toWrite, batch.writes);
    Map<Account, BigInteger> deltas = writeTotals(batch);
    buildNanos.add(System.nanoTime() - started);
    buildCpuNanos.add(CPU.getCurrentThreadCpuTime() - cpuStarted);
    return new Built(batch.writes(), accepted, deltas, tasks.size());
  }

  private static void reject(Append a, AcceptedReceiptKeys.Verdict v) {
    a.done().completeExceptionally(v == AcceptedReceiptKeys.Verdict.DUPLICATE
        ? new ReceiptWriteException(ReceiptWriteException.Reason.DUPLICATE_RECEIPT,
            "receipt already stored (replay) from payer " + a.group().payer())
        : new ReceiptWriteException(ReceiptWriteException.Reason.NONCE_REUSED, "payer "
            + a.group().payer() + " reused a (timestamp, nonce) with different contents"));
  }

  /**
   * Puts the batch's changed totals, updates the cache, and returns how each payer's
   * unvouchered value changes once the batch is synced.
   */
  private Map<Account, BigInteger> writeTotals(Batch batch) throws RocksDBException {
    Map<Account, BigInteger> deltas = new HashMap<>();
    for (EpochPayerTotals old : batch.removed) {
      cache.remove(new TotalsKey(old.epoch(), old.payer()));
      deltas.merge(old.payer(), old.unvoucheredValue().negate(), BigInteger::add);
    }
    for (Map.Entry<TotalsKey, EpochPayerTotals> e : batch.dirty.entrySet()) {
      batch.writes.put(totals, totalsId,
          StoreKeys.epochPayer(e.getKey().epoch(), e.getKey().payer()), e.getValue().encodeValue());
      EpochPayerTotals old = cache.put(e.getKey(), e.getValue());
      BigInteger before = old == null ? BigInteger.ZERO : old.unvoucheredValue();
      deltas.merge(e.getKey().payer(), e.getValue().unvoucheredValue().subtract(before),
          BigInteger::add);
    }
    return deltas;
  }

  /**
   * Puts accepted appends into the batch in (nearly) key order, per column family. RocksDB
   * applies a batch to the memtable in batch order; its skip list inserts a key cheaply when it
   * lands next to the previous insert, and seen ids are random, so unsorted each costs a search
   * from the top of the list (measured: the largest part of the synced write's CPU). The order
   * only matters for speed, so both sorts use cheap approximate keys: the seen ids by their first
   * 44 bits, the receipts by (epoch, payer, timestamp), in which they mostly arrive anyway.
   */
  private void putSorted(List<Append> toWrite, BatchWrites wb) throws RocksDBException {
    int n = toWrite.size();
    if (n == 0) {
      return;
    }
    toWrite.sort(BY_RECEIPT_KEY_PREFIX);
    for (Append a : toWrite) {
      wb.put(receipts, receiptsId, a.receiptKey(), a.value());
    }
    int indexBits = 64 - Long.numberOfLeadingZeros(n);
    long[] order = new long[n];
    for (int i = 0; i < n; i++) {
      // unsigned order of the id's first 8 bytes (after the 8-byte epoch), index in the low bits
      long idPrefix = StoreKeys.readU64(toWrite.get(i).seenKey(), 8) ^ Long.MIN_VALUE;
      order[i] = (idPrefix >> indexBits << indexBits) | i;
    }
    Arrays.sort(order);
    long mask = (1L << indexBits) - 1;
    for (long o : order) {
      Append a = toWrite.get((int) (o & mask));
      wb.put(seen, seenId, a.seenKey(), a.receiptKey());
    }
    toWrite.clear();
  }

  private static final Comparator<Append> BY_RECEIPT_KEY_PREFIX = (x, y) -> {
    int c = Long.compare(x.group().epoch(), y.group().epoch());
    if (c == 0 && x.group().payer() != y.group().payer()) {
      c = x.group().payer().compareTo(y.group().payer());
    }
    return c != 0 ? c : Long.compare(x.timestampMs(), y.timestampMs());
  };

  /** Adds the appends counted so far in this batch to their groups' totals. */
  private void foldPending(List<AcceptedReceiptKeys.Group> touched, Batch batch)
      throws RocksDBException {
    for (AcceptedReceiptKeys.Group g : touched) {
      batch.put(batch.totals(g.key.epoch(), g.key.payer())
          .plusReceipts(g.pendingCount, g.pendingComputeUnits, g.pendingValue));
      g.pendingCount = 0;
      g.pendingComputeUnits = 0;
      g.pendingValue = BigInteger.ZERO;
    }
    touched.clear();
  }

  private void applyMutation(Mutation m, Batch batch, List<CompletableFuture<Void>> accepted)
      throws RocksDBException {
    Map<TotalsKey, EpochPayerTotals> before = new HashMap<>(batch.dirty);
    int removedBefore = batch.removed.size();
    batch.writes().setSavePoint();
    try {
      m.body().apply(batch);
      accepted.add(m.done());
    } catch (RuntimeException e) {
      batch.writes().rollbackToSavePoint();
      batch.dirty.clear();
      batch.dirty.putAll(before);
      batch.removed.subList(removedBefore, batch.removed.size()).clear();
      m.done().completeExceptionally(e);
    }
  }

  private void writeLoop() {
    try (WriteOptions unsynced = new WriteOptions().setSync(false)) {
      while (true) {
        Built b = toWrite.poll(50, TimeUnit.MILLISECONDS);
        if (b == null) {
          if (builderDone && toWrite.isEmpty()) {
            return;
          }
          continue;
        }
        write(b, unsynced);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      walSyncer.writerDone();
    }
  }

  /** Puts the batch into the WAL (unsynced) and the memtables; {@link WalSyncer} syncs it. */
  private void write(Built b, WriteOptions unsynced) {
    try (WriteBatch wb = b.writes()) {
      if (failure == null) {
        long started = System.nanoTime();
        long cpuStarted = CPU.getCurrentThreadCpuTime();
        try {
          if (wb.count() > 0) {
            db.write(unsynced, wb);
          }
        } catch (RocksDBException e) {
          failed(new ReceiptWriteException(ReceiptWriteException.Reason.IO,
              "write failed, nothing in this batch is stored: " + e.getMessage(), e));
          LOG.error("receipt store write failed", e);
        }
        writeNanos.add(System.nanoTime() - started);
        writeCpuNanos.add(CPU.getCurrentThreadCpuTime() - cpuStarted);
      }
    }
    // after a failure the syncer fails it (and everything after it) instead of syncing
    WalSyncer.Written w = new WalSyncer.Written(b.accepted(), b.exposureDeltas(), b.records());
    if (b.records() <= maxBatch / 4 && toWrite.isEmpty()) {
      walSyncer.syncOnCaller(w); // a small batch, nothing built behind it: no overlap to gain
    } else {
      walSyncer.written(w);
    }
  }

  /** The first failure wins; every write after it is refused. */
  private synchronized void failed(ReceiptWriteException e) {
    if (failure == null) {
      failure = e;
    }
  }

  /** Marks totals of removed epochs (called from a mutation that range-deletes them). */
  void forgetEpochsBefore(Batch batch, long epoch) throws RocksDBException {
    acceptedKeys.forgetEpochsBefore(epoch);
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
    return new WriterStats(walSyncer.batches(), walSyncer.records(), walSyncer.syncs(),
        buildNanos.sum() / 1_000_000, buildCpuNanos.sum() / 1_000_000,
        writeNanos.sum() / 1_000_000, writeCpuNanos.sum() / 1_000_000,
        walSyncer.syncNanos() / 1_000_000, walSyncer.syncCpuNanos() / 1_000_000,
        lingerNanosSpent.sum() / 1_000_000, storeLookups.sum());
  }

  @Override
  public void close() {
    closing = true;
    try {
      builder.join(10_000);
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    walSyncer.close();
    Task t;
    while ((t = queue.poll()) != null) {
      done(t).completeExceptionally(new ReceiptWriteException(
          ReceiptWriteException.Reason.STORE_UNAVAILABLE, "receipt store closed"));
    }
  }
}
