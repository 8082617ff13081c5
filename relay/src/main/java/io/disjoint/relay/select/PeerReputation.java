package io.disjoint.relay.select;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway learned from its own traffic to each peer: a success-rate EWMA (retryable
 * failures count against it; deterministic JSON-RPC errors are answers and count for it) and the
 * latencies of its last answers, from which percentiles are read.
 */
public final class PeerReputation {
  private final double alpha;
  private final int window;
  private final Map<String, Stats> peers = new ConcurrentHashMap<>();

  public PeerReputation(double successEwmaAlpha, int latencyWindow) {
    this.alpha = successEwmaAlpha;
    this.window = latencyWindow;
  }

  private final class Stats {
    double success = 1.0;
    final long[] latenciesNanos = new long[window];
    int count;
    int next;

    synchronized void answered(long nanos) {
      success += alpha * (1.0 - success);
      latenciesNanos[next] = nanos;
      next = (next + 1) % window;
      count = Math.min(count + 1, window);
    }

    synchronized void failed() {
      success += alpha * (0.0 - success);
    }

    synchronized Optional<Duration> quantile(double q) {
      if (count == 0) {
        return Optional.empty();
      }
      long[] copy = Arrays.copyOf(latenciesNanos, count);
      Arrays.sort(copy);
      int idx = (int) Math.min(count - 1, Math.ceil(q * count) - 1);
      return Optional.of(Duration.ofNanos(copy[Math.max(0, idx)]));
    }

    synchronized double successRate() {
      return success;
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

  /** Success-rate EWMA in [0, 1]; 1 for a peer never tried (optimistic start). */
  public double successRate(String peer) {
    Stats s = peers.get(peer);
    return s == null ? 1.0 : s.successRate();
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
