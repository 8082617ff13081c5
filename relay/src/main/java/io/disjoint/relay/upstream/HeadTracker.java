package io.disjoint.relay.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.tuweni.bytes.Bytes32;
import org.apache.tuweni.units.bigints.UInt256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the upstream chain node's head: a {@code newHeads} subscription over WebSocket when one
 * is configured and up, else polling {@code eth_getBlockByNumber("latest", false)} every interval.
 * While the subscription is down it polls and retries the subscription with a growing backoff.
 * Health: unhealthy after {@code unhealthyAfter} consecutive failures (failed polls, dropped
 * subscriptions) or before the first head. Time and scheduling are injected.
 */
public final class HeadTracker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HeadTracker.class);
  private static final byte[] LATEST_BLOCK =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"latest\",false]}"
          .getBytes(StandardCharsets.US_ASCII);
  private static final Duration MAX_RESUBSCRIBE_BACKOFF = Duration.ofSeconds(30);

  /** Sends one raw JSON-RPC request to the upstream (the connection pool). */
  @FunctionalInterface
  public interface Transport {
    CompletableFuture<byte[]> send(byte[] requestJson, Duration timeout);
  }

  private final Transport transport;
  private final Optional<Supplier<CompletableFuture<UpstreamWebSocket>>> subscriber;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Duration interval;
  private final int unhealthyAfter;
  private final List<Consumer<Head>> listeners = new CopyOnWriteArrayList<>();

  private volatile Head head = Head.UNKNOWN;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile boolean subscribed;
  private boolean subscribing;
  private Instant nextSubscribeAttempt = Instant.EPOCH;
  private Duration backoff;
  private UpstreamWebSocket socket;
  private ScheduledFuture<?> ticker;
  private boolean closed;

  /**
   * @param subscriber opens a WebSocket for newHeads; empty to poll only
   * @param interval poll interval, and the base of the resubscription backoff
   */
  public HeadTracker(
      Transport transport,
      Optional<Supplier<CompletableFuture<UpstreamWebSocket>>> subscriber,
      ScheduledExecutorService scheduler,
      Clock clock,
      Duration interval,
      int unhealthyAfter) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.unhealthyAfter = unhealthyAfter;
    this.backoff = interval;
  }

  /** Starts following: a first tick now, then one per interval. */
  public synchronized HeadTracker start() {
    if (ticker == null && !closed) {
      ticker = scheduler.scheduleWithFixedDelay(this::tick, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }
    return this;
  }

  public Head head() {
    return head;
  }

  public int consecutiveFailures() {
    return consecutiveFailures.get();
  }

  public boolean healthy() {
    return head.known() && consecutiveFailures.get() < unhealthyAfter;
  }

  /** True while heads arrive by subscription rather than polling. */
  public boolean subscribed() {
    return subscribed;
  }

  /** Called with every new head (on an I/O or scheduler thread; keep it short). */
  public void onHead(Consumer<Head> listener) {
    listeners.add(listener);
  }

  /** One scheduling step: keep or retry the subscription, poll when it is not up. */
  void tick() {
    try {
      if (subscriber.isPresent() && maySubscribe()) {
        subscribe();
      }
      if (!subscribed) {
        pollNow();
      }
    } catch (RuntimeException e) {
      log.error("head tracker tick failed", e);
    }
  }

  private synchronized boolean maySubscribe() {
    return !closed && !subscribed && !subscribing && !clock.instant().isBefore(nextSubscribeAttempt);
  }

  /** Polls the latest block once; completes with the head seen (or exceptionally). */
  public CompletableFuture<Head> pollNow() {
    return transport
        .send(LATEST_BLOCK, interval.multipliedBy(2).plusSeconds(1))
        .thenApply(
            bytes -> {
              JsonNode response;
              try {
                response = JsonRpcMapper.SHARED.readTree(bytes);
              } catch (IOException e) {
                throw new UpstreamException("upstream sent invalid JSON for the latest block", true, e);
              }
              JsonNode block = response.path("result");
              if (!block.isObject()) {
                throw new UpstreamException("upstream has no latest block", true);
              }
              return headOf(block);
            })
        .whenComplete(
            (seen, failure) -> {
              if (failure != null) {
                int failures = consecutiveFailures.incrementAndGet();
                log.debug("head poll failed ({} in a row): {}", failures, failure.toString());
              } else {
                consecutiveFailures.set(0);
                accept(seen, true);
              }
            });
  }

  private void subscribe() {
    synchronized (this) {
      subscribing = true;
    }
    subscriber
        .orElseThrow()
        .get()
        .thenCompose(
            ws -> {
              synchronized (this) {
                socket = ws;
              }
              return ws.call("eth_subscribe", JsonNodeFactory.instance.arrayNode().add("newHeads"), interval.plusSeconds(5))
                  .thenApply(
                      answer -> {
                        String id = answer.path("result").asText("");
                        if (id.isEmpty()) {
                          ws.close();
                          throw new UpstreamException("upstream refused the newHeads subscription", true);
                        }
                        ws.onSubscription(id, this::headNotified);
                        ws.closed().thenRun(this::subscriptionLost);
                        return ws;
                      });
            })
        .whenComplete(
            (ws, failure) -> {
              synchronized (this) {
                subscribing = false;
                if (failure == null && !closed && ws.isOpen()) {
                  subscribed = true;
                  backoff = interval;
                } else {
                  scheduleResubscribe();
                }
              }
              if (failure != null) {
                log.debug("newHeads subscription failed: {}", failure.toString());
              } else {
                log.debug("newHeads subscription up");
              }
            });
  }

  private void headNotified(JsonNode header) {
    try {
      consecutiveFailures.set(0);
      accept(headOf(header), false);
    } catch (RuntimeException e) {
      log.debug("malformed newHeads notification: {}", e.toString());
    }
  }

  private void subscriptionLost() {
    synchronized (this) {
      if (!subscribed) {
        return;
      }
      subscribed = false;
      socket = null;
      scheduleResubscribe();
    }
    consecutiveFailures.incrementAndGet();
    log.debug("newHeads subscription lost; polling");
  }

  private void scheduleResubscribe() {
    nextSubscribeAttempt = clock.instant().plus(backoff);
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(MAX_RESUBSCRIBE_BACKOFF) > 0 ? MAX_RESUBSCRIBE_BACKOFF : doubled;
  }

  /**
   * Polled heads are the truth (they may move back after a reorg or a chain reset); a subscribed
   * head replaces the current one unless it is older.
   */
  private void accept(Head seen, boolean authoritative) {
    Head current = head;
    if (!authoritative && current.known() && seen.number() < current.number()) {
      return;
    }
    if (seen.number() == current.number() && seen.hash().equals(current.hash())) {
      return;
    }
    head = seen;
    for (Consumer<Head> listener : listeners) {
      try {
        listener.accept(seen);
      } catch (RuntimeException e) {
        log.error("head listener failed", e);
      }
    }
  }

  private Head headOf(JsonNode block) {
    String number = block.path("number").asText("");
    String hash = block.path("hash").asText("");
    try {
      UInt256 height = UInt256.fromHexString(number);
      if (!height.fitsLong()) {
        throw new UpstreamException("upstream block number out of range", true);
      }
      return new Head(height.toLong(), Bytes32.fromHexStringStrict(hash).toHexString(), clock.instant());
    } catch (IllegalArgumentException e) {
      throw new UpstreamException("upstream block has a malformed number or hash", true, e);
    }
  }

  @Override
  public void close() {
    UpstreamWebSocket ws;
    synchronized (this) {
      closed = true;
      if (ticker != null) {
        ticker.cancel(false);
      }
      ws = socket;
      socket = null;
      subscribed = false;
    }
    if (ws != null) {
      ws.close();
    }
  }
}
