package io.disjoint.p2p.yamux;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The session pings we sent and await: opaque value to start time. Only ACKs for values in here
 * complete anything; others are ignored (we never answer an ACK). Event-loop confined.
 */
final class YamuxPings {
  static final int MAX_OUTSTANDING = 16;

  private record Pending(long startNanos, CompletableFuture<Duration> result) {}

  private final IntObjectMap<Pending> pending = new IntObjectHashMap<>();
  private final LongSupplier nanoTime;
  private int nextId = 1;
  private int keepAliveId;

  YamuxPings(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  boolean full() {
    return pending.size() >= MAX_OUTSTANDING;
  }

  /** Records a new ping and returns the opaque value to send. */
  int start(CompletableFuture<Duration> result) {
    int id = nextId++;
    if (nextId == 0) {
      nextId = 1;
    }
    pending.put(id, new Pending(nanoTime.getAsLong(), result));
    return id;
  }

  /** Starts the keep-alive ping. */
  int startKeepAlive() {
    keepAliveId = start(new CompletableFuture<>());
    return keepAliveId;
  }

  /** True while the last keep-alive ping is unanswered. */
  boolean keepAliveOutstanding() {
    return keepAliveId != 0;
  }

  /** Completes the ping with this opaque value; false if we did not send it. */
  boolean acknowledged(int opaque) {
    Pending p = pending.remove(opaque);
    if (p == null) {
      return false;
    }
    if (opaque == keepAliveId) {
      keepAliveId = 0;
    }
    p.result().complete(Duration.ofNanos(nanoTime.getAsLong() - p.startNanos()));
    return true;
  }

  void failAll(Throwable cause) {
    for (Pending p : pending.values()) {
      p.result().completeExceptionally(cause);
    }
    pending.clear();
  }
}
