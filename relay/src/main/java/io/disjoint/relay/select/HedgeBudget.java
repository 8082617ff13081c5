package io.disjoint.relay.select;

import java.time.Clock;
import java.time.Duration;

/**
 * Caps hedges at a share of the requests over a sliding window, so that a slow period — when
 * every primary is late and every request would hedge — adds at most that share of load to the
 * network instead of doubling it. Each routed request deposits {@code ratio} of a hedge; a hedge
 * is sent only while the hedges of the window stay within the deposits (plus a small fixed
 * allowance per window, so a quiet gateway still rescues a hung request). The window is
 * {@value #BUCKETS} buckets, so it slides in steps of a tenth of its length.
 *
 * <p>Thread-safe; called from every gateway event loop, once per request and once per due hedge,
 * each a few arithmetic operations under one short lock.
 */
final class HedgeBudget {
  static final int BUCKETS = 10;

  private final Clock clock;
  private final double ratio;
  private final int minimum;
  private final long bucketMillis;
  private final long[] requests = new long[BUCKETS];
  private final long[] hedges = new long[BUCKETS];
  private long currentBucket = Long.MIN_VALUE;
  private long requestsInWindow;
  private long hedgesInWindow;

  HedgeBudget(Clock clock, double ratio, Duration window, int minimum) {
    this.clock = clock;
    this.ratio = ratio;
    this.minimum = minimum;
    this.bucketMillis = Math.max(1, window.toMillis() / BUCKETS);
  }

  static HedgeBudget of(RouterConfig config, Clock clock) {
    return new HedgeBudget(clock, config.hedgeBudget(), config.hedgeBudgetWindow(), config.hedgeBudgetMinimum());
  }

  /** A request that may hedge was routed. */
  synchronized void requestRouted() {
    int slot = advance();
    requests[slot]++;
    requestsInWindow++;
  }

  /** Whether a due hedge may be sent now; when it may, it is counted against the budget. */
  synchronized boolean tryHedge() {
    int slot = advance();
    if (hedgesInWindow >= minimum + (long) Math.floor(ratio * requestsInWindow)) {
      return false;
    }
    hedges[slot]++;
    hedgesInWindow++;
    return true;
  }

  /** Moves the window to now, dropping the buckets that left it; returns the current slot. */
  private int advance() {
    long bucket = Math.floorDiv(clock.millis(), bucketMillis);
    if (bucket != currentBucket) {
      long steps = currentBucket == Long.MIN_VALUE ? BUCKETS : Math.min(BUCKETS, Math.max(0, bucket - currentBucket));
      for (long i = 1; i <= steps; i++) {
        int old = (int) Math.floorMod(currentBucket + i, (long) BUCKETS);
        requestsInWindow -= requests[old];
        hedgesInWindow -= hedges[old];
        requests[old] = 0;
        hedges[old] = 0;
      }
      if (bucket > currentBucket) {
        currentBucket = bucket;
      }
    }
    return (int) Math.floorMod(currentBucket, (long) BUCKETS);
  }
}
