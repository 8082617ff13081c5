package io.disjoint.staking.store;

import io.disjoint.staking.receipt.Account;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksDBException;

/**
 * The builder's memory of receipt keys it accepted, so that most appends are checked for
 * duplicates and nonce reuse without asking RocksDB (builder thread only; no locks).
 *
 * <p>Why it is exact. A replay has the same id, hence the same signing bytes, hence the same
 * receipts key (epoch, payer, timestamp, nonce); so a receipt whose key is free is neither a
 * replay nor a nonce reuse. For each (epoch, payer) group the builder learns, on first touch, the
 * newest timestamp RocksDB holds for it ({@link WatermarkSource}); from then on every key it
 * accepts for the group is remembered, and the group's {@code floor} is the lowest timestamp
 * from which memory is complete. A receipt with {@code timestamp >= floor} that memory does not
 * know cannot be stored (RocksDB had nothing at or after the floor when the group was first
 * touched, and this writer is the store's only writer), so it needs no lookup. Older
 * receipts ({@link #mustAskStore}) are looked up in RocksDB as before, in one multi-get.
 *
 * <p>Memory is two generations of entries. When the young one holds {@code generationSize}
 * entries it becomes the old one; of the previous old one only keys at least as new as their
 * group's oldest young key are carried over (at most a generation of them), the rest are
 * dropped, raising each group's floor above the newest timestamp it lost. Entries are only
 * dropped from the old generation, i.e. once at least {@code generationSize} newer keys were
 * accepted, and the writer never has more than {@code generationSize} keys built but unsynced
 * ({@link #forBatchesOf}), so a dropped key is always synced: a later RocksDB lookup sees it.
 */
final class AcceptedReceiptKeys {
  /** Newest receipt timestamp RocksDB holds for (epoch, payer), or -1. */
  @FunctionalInterface
  interface WatermarkSource {
    long newestTimestamp(long epoch, Account payer) throws RocksDBException;
  }

  /** What memory says about a receipt key. */
  enum Verdict {
    NEW,
    DUPLICATE,
    NONCE_REUSED,
    UNKNOWN
  }

  /** Dedup state of one (epoch, payer); compared by identity inside {@link Entry}. */
  static final class Group {
    final GroupCommitWriter.TotalsKey key;
    long floor;
    /** Oldest timestamp remembered since the last rotation: how late receipts still arrive. */
    long oldestYoung = Long.MAX_VALUE;
    /** Newest timestamp dropped at this rotation, and whether any entry of it is kept. */
    long newestDropped = Long.MIN_VALUE;
    boolean kept;
    /** Appends of the batch being built, folded into the totals before any mutation. */
    long pendingCount;
    long pendingComputeUnits;
    BigInteger pendingValue = BigInteger.ZERO;

    Group(GroupCommitWriter.TotalsKey key, long floor) {
      this.key = key;
      this.floor = floor;
    }
  }

  /** A remembered key: group identity, timestamp, nonce as two longs. */
  private record Entry(Group group, long timestampMs, long nonceHigh, long nonceLow) {
    @Override
    public int hashCode() {
      long h = timestampMs * 0x9E3779B97F4A7C15L ^ nonceHigh ^ Long.rotateLeft(nonceLow, 29);
      return (int) (h ^ (h >>> 32)) ^ System.identityHashCode(group);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && e.group == group && e.timestampMs == timestampMs
          && e.nonceHigh == nonceHigh && e.nonceLow == nonceLow;
    }
  }

  private final WatermarkSource watermarks;
  private final int generationSize;
  private final Map<GroupCommitWriter.TotalsKey, Group> groups = new HashMap<>();
  /** Entry -> the seen key (epoch | id) of the receipt that holds it. */
  private HashMap<Entry, byte[]> young;
  private HashMap<Entry, byte[]> old = new HashMap<>();

  /**
   * Memory for a writer whose batches hold at most {@code maxBatch} writes, of which at most
   * {@code unsyncedBatches} built batches are not yet synced at any moment.
   */
  static AcceptedReceiptKeys forBatchesOf(int maxBatch, int unsyncedBatches,
      WatermarkSource watermarks) {
    return new AcceptedReceiptKeys(watermarks,
        (int) Math.max(65_536, Math.min(Integer.MAX_VALUE / 2, (long) unsyncedBatches * maxBatch)));
  }

  AcceptedReceiptKeys(WatermarkSource watermarks, int generationSize) {
    if (generationSize < 1) {
      throw new IllegalArgumentException("generation size must be >= 1");
    }
    this.watermarks = watermarks;
    this.generationSize = generationSize;
    this.young = new HashMap<>(Math.min(generationSize, 1 << 20) * 2);
  }

  /** The group's state, asking RocksDB for its newest timestamp on first touch. */
  Group group(GroupCommitWriter.TotalsKey key) throws RocksDBException {
    Group g = groups.get(key);
    if (g == null) {
      long newest = watermarks.newestTimestamp(key.epoch(), key.payer());
      g = new Group(key, newest == Long.MAX_VALUE ? newest : newest + 1);
      groups.put(key, g);
    }
    return g;
  }

  /** True when memory cannot vouch for a free key: the store must be asked. */
  static boolean mustAskStore(Group g, long timestampMs) {
    return timestampMs < g.floor;
  }

  Verdict check(Group g, long timestampMs, long nonceHigh, long nonceLow, byte[] seenKey) {
    Entry e = new Entry(g, timestampMs, nonceHigh, nonceLow);
    byte[] holder = young.get(e);
    if (holder == null) {
      holder = old.get(e);
    }
    if (holder != null) {
      return Arrays.equals(holder, seenKey) ? Verdict.DUPLICATE : Verdict.NONCE_REUSED;
    }
    return mustAskStore(g, timestampMs) ? Verdict.UNKNOWN : Verdict.NEW;
  }

  void remember(Group g, long timestampMs, long nonceHigh, long nonceLow, byte[] seenKey) {
    young.put(new Entry(g, timestampMs, nonceHigh, nonceLow), seenKey);
    if (timestampMs < g.oldestYoung) {
      g.oldestYoung = timestampMs;
    }
  }

  /**
   * Called between batches: once the young generation is full it becomes the old one, and of the
   * old one only the keys at least as new as the oldest key of their group's young generation
   * are carried over (at most a generation of them); the rest are dropped and raise their
   * group's floor. Carrying keeps two streams of one payer that drift apart (two connections,
   * one of them late) inside memory instead of pushing the late one below the floor.
   */
  void rotateIfFull() {
    if (young.size() < generationSize) {
      return;
    }
    HashMap<Entry, byte[]> next = young;
    int carried = 0;
    for (Map.Entry<Entry, byte[]> e : old.entrySet()) {
      Group g = e.getKey().group();
      long ts = e.getKey().timestampMs();
      if (ts >= g.oldestYoung && carried < generationSize && groups.get(g.key) == g) {
        next.put(e.getKey(), e.getValue());
        carried++;
      } else if (ts > g.newestDropped) {
        g.newestDropped = ts;
      }
    }
    for (Entry e : next.keySet()) {
      e.group().kept = true;
    }
    for (Iterator<Group> it = groups.values().iterator(); it.hasNext(); ) {
      Group g = it.next();
      if (g.newestDropped != Long.MIN_VALUE && g.newestDropped >= g.floor) {
        g.floor = g.newestDropped == Long.MAX_VALUE ? Long.MAX_VALUE : g.newestDropped + 1;
      }
      g.newestDropped = Long.MIN_VALUE;
      g.oldestYoung = Long.MAX_VALUE;
      if (!g.kept) {
        // nothing of it left in memory (all synced): the next touch asks RocksDB again
        it.remove();
      }
      g.kept = false;
    }
    old = next;
    young = new HashMap<>(Math.min(generationSize, 1 << 20) * 2);
  }

  /** After a range delete of epochs below {@code epoch}: their groups start over. */
  void forgetEpochsBefore(long epoch) {
    List<GroupCommitWriter.TotalsKey> gone = new ArrayList<>();
    for (GroupCommitWriter.TotalsKey k : groups.keySet()) {
      if (k.epoch() < epoch) {
        gone.add(k);
      }
    }
    gone.forEach(groups::remove);
    young.keySet().removeIf(e -> e.group().key.epoch() < epoch);
    old.keySet().removeIf(e -> e.group().key.epoch() < epoch);
  }

  int remembered() {
    return young.size() + old.size();
  }
}
