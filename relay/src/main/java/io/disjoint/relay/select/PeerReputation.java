package io.disjoint.relay.select;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the gateway learned from its own traffic to each peer: a success-rate EWMA (retryable
 * failures count against it; deterministic JSON-RPC errors are answers and count for it; losing
 * a quorum vote cuts it), the latencies of its last answers, from which percentiles are read, and
 * the requests it has not answered yet, whose age counts as latency (a hung peer loses rank while
 * its requests are still hanging, not only once they time out).
 */
public final class PeerReputation {
  /** Unfinished requests remembered per peer; beyond this the oldest is forgotten. */
  static final int MAX_TRACKED_IN_FLIGHT = 1024;

  private final double alpha;
  private final int window;
  private final Map<String, Stats> peers = new ConcurrentHashMap<>();
  private final AtomicLong tickets = new AtomicLong();

  public PeerReputation(double successEwmaAlpha, int latencyWindow) {
    this.alpha = successEwmaAlpha;
    this.window = latencyWindow;
  }

  private final class Stats {
    double success = 1.0;
    /** The last answers' latencies in arrival order (a ring), and the same values kept sorted. */
    final long[] latenciesNanos = new long[window];
    final long[] sortedNanos = new long[window];
    int count;
    int next;
    /** ticket -> start, in the order sent: the first entry is the oldest unfinished request. */
    final LinkedHashMap<Long, Instant> inFlight = new LinkedHashMap<>();

    synchronized void answered(long nanos) {
      success += alpha * (1.0 - success);
      if (count == window) {
        removeSorted(latenciesNanos[next]);
      }
      latenciesNanos[next] = nanos;
      next = (next + 1) % window;
      insertSorted(nanos);
    }

    /** Quantiles are read on every request: keeping the window sorted makes each read O(1). */
    private void insertSorted(long nanos) {
      int at = Arrays.binarySearch(sortedNanos, 0, count, nanos);
      if (at < 0) {
        at = -at - 1;
      }
      System.arraycopy(sortedNanos, at, sortedNanos, at + 1, count - at);
      sortedNanos[at] = nanos;
      count++;
    }

    private void removeSorted(long nanos) {
      int at = Arrays.binarySearch(sortedNanos, 0, count, nanos);
      System.arraycopy(sortedNanos, at + 1, sortedNanos, at, count - at - 1);
      count--;
    }

    synchronized void failed() {
      success += alpha * (0.0 - success);
    }

    synchronized void dissented(double penalty) {
      success *= 1.0 - penalty;
    }

    synchronized void begin(long ticket, Instant start) {
      if (inFlight.size() >= MAX_TRACKED_IN_FLIGHT) {
        Iterator<Long> oldest = inFlight.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      inFlight.put(ticket, start);
    }

    synchronized void end(long ticket) {
      inFlight.remove(ticket);
    }

    synchronized Optional<Duration> oldestInFlight(Instant now) {
      if (inFlight.isEmpty()) {
        return Optional.empty();
      }
      Instant oldest = inFlight.values().iterator().next();
      Duration age = Duration.between(oldest, now);
      return Optional.of(age.isNegative() ? Duration.ZERO : age);
    }

    synchronized int inFlightCount() {
      return inFlight.size();
    }

    synchronized Optional<Duration> quantile(double q) {
      if (count == 0) {
        return Optional.empty();
      }
      int idx = (int) Math.min(count - 1, Math.ceil(q * count) - 1);
      return Optional.of(Duration.ofNanos(sortedNanos[Math.max(0, idx)]));
    }

    synchronized double successRate() {
      return success;
    }

    synchronized int samples() {
      return count;
    }
  }

  private Stats stats(String peer) {
    return peers.computeIfAbsent(peer, p -> new Stats());
  }

  /** The peer answered (a result or a deterministic JSON-RPC error) after {@code latency}. */
  public void recordAnswer(String peer, Duration latency) {
    stats(peer).answered(Math.max(0, latency.toNanos()));
  }

  /** The peer failed in a way another peer might not have. */
  public void recordFailure(String peer) {
    stats(peer).failed();
  }

  /**
   * The peer's answer disagreed with a quorum majority: its success rate is multiplied by
   * {@code 1 - penalty} (with the default penalty one dissent puts a perfect peer on probation).
   */
  public void recordDissent(String peer, double penalty) {
    if (!(penalty >= 0 && penalty <= 1)) {
      throw new IllegalArgumentException("dissent penalty must be in [0, 1], got " + penalty);
    }
    stats(peer).dissented(penalty);
  }

  /**
   * A request to the peer was sent at {@code start}; returns the ticket to hand to
   * {@link #requestFinished} once it completes in any way.
   */
  public long requestStarted(String peer, Instant start) {
    long ticket = tickets.incrementAndGet();
    stats(peer).begin(ticket, start);
    return ticket;
  }

  /** The request with this ticket completed (answered, failed or timed out). */
  public void requestFinished(String peer, long ticket) {
    stats(peer).end(ticket);
  }

  /** How long the peer's oldest unfinished request has been waiting; empty when none is. */
  public Optional<Duration> oldestInFlight(String peer, Instant now) {
    Stats s = peers.get(peer);
    return s == null ? Optional.empty() : s.oldestInFlight(now);
  }

  /** Requests sent to the peer and not finished yet. */
  public int inFlight(String peer) {
    Stats s = peers.get(peer);
    return s == null ? 0 : s.inFlightCount();
  }

  /** Success-rate EWMA in [0, 1]; 1 for a peer never tried (optimistic start). */
  public double successRate(String peer) {
    Stats s = peers.get(peer);
    return s == null ? 1.0 : s.successRate();
  }

  /** How many answer latencies the window holds for the peer (0 for a peer never answered). */
  public int latencySamples(String peer) {
    Stats s = peers.get(peer);
    return s == null ? 0 : s.samples();
  }

  /** Latency quantile of recent answers; empty before the first answer. */
  public Optional<Duration> latencyQuantile(String peer, double q) {
    Stats s = peers.get(peer);
    return s == null ? Optional.empty() : s.quantile(q);
  }

  public void forget(String peer) {
    peers.remove(peer);
  }
}
