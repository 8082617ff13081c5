package io.disjoint.staking.receipt;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Replay guard for the verifier: ids seen in the last few seconds in memory (that covers
 * receipts in flight, accepted but not yet acknowledged by the store), older ones from a durable
 * lookup (the store's seen index). Receipts older than the timestamp window are rejected by the
 * time check, so nothing older needs remembering at all.
 *
 * <p>One hash lookup per receipt on the relay path: the ids live in one map (atomic
 * {@code putIfAbsent}, so two copies racing on different event loops cannot both pass), and a
 * per-second index is kept only to forget them once they are older than {@code memoryMs}.
 */
public final class RecentReceiptIds {
  /** Durable lookup: was this id stored in this epoch. */
  @FunctionalInterface
  public interface Stored {
    boolean contains(long epoch, Bytes32 id);
  }

  private final Stored stored;
  private final Clock clock;
  private final long memorySeconds;
  private final ConcurrentHashMap<Bytes32, Long> seen = new ConcurrentHashMap<>();
  private final ConcurrentSkipListMap<Long, ConcurrentLinkedQueue<Bytes32>> bySecond = new ConcurrentSkipListMap<>();

  public RecentReceiptIds(Stored stored, Clock clock, long memoryMs) {
    this.stored = stored;
    this.clock = clock;
    this.memorySeconds = Math.max(1, memoryMs / 1000);
  }

  /** True the first time an id is offered; false for any replay. */
  public boolean firstSight(long epoch, Bytes32 id) {
    long second = clock.millis() / 1000;
    forgetBefore(second - memorySeconds);
    if (seen.putIfAbsent(id, second) != null) {
      return false;
    }
    bySecond.computeIfAbsent(second, k -> new ConcurrentLinkedQueue<>()).add(id);
    return !stored.contains(epoch, id);
  }

  /** Ids remembered in memory now (for tests and metrics). */
  public int remembered() {
    return seen.size();
  }

  private void forgetBefore(long cutoff) {
    Map.Entry<Long, ConcurrentLinkedQueue<Bytes32>> oldest = bySecond.firstEntry();
    if (oldest == null || oldest.getKey() >= cutoff) {
      return;
    }
    List<Long> expired = new ArrayList<>(bySecond.headMap(cutoff).keySet());
    for (Long s : expired) {
      ConcurrentLinkedQueue<Bytes32> ids = bySecond.remove(s);
      if (ids != null) {
        for (Bytes32 id : ids) {
          seen.remove(id, s);
        }
      }
    }
  }
}
