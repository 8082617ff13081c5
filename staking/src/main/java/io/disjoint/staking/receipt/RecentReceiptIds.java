package io.disjoint.staking.receipt;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Replay guard for the verifier: ids seen in the last few seconds in memory (that covers
 * receipts in flight, accepted but not yet acknowledged by the store), older ones from a durable
 * lookup (the store's seen index). Receipts older than the timestamp window are rejected by the
 * time check, so nothing older needs remembering at all.
 */
public final class RecentReceiptIds {
  /** Durable lookup: was this id stored in this epoch. */
  @FunctionalInterface
  public interface Stored {
    boolean contains(long epoch, Bytes32 id);
  }

  private final Stored stored;
  private final Clock clock;
  private final long memoryMs;
  private final ConcurrentSkipListMap<Long, Set<Bytes32>> bySecond = new ConcurrentSkipListMap<>();

  public RecentReceiptIds(Stored stored, Clock clock, long memoryMs) {
    this.stored = stored;
    this.clock = clock;
    this.memoryMs = memoryMs;
  }

  /** True the first time an id is offered; false for any replay. */
  public boolean firstSight(long epoch, Bytes32 id) {
    long second = clock.millis() / 1000;
    bySecond.headMap(second - Math.max(1, memoryMs / 1000)).clear();
    for (Set<Bytes32> s : bySecond.values()) {
      if (s.contains(id)) {
        return false;
      }
    }
    if (stored.contains(epoch, id)) {
      return false;
    }
    return bySecond.computeIfAbsent(second, k -> ConcurrentHashMap.newKeySet()).add(id);
  }
}
