package io.disjoint.relay.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Head tracking: deterministic rules against a scripted transport, then against a real anvil. */
class HeadTrackerTest {
  private static final String HASH_A = "0x" + "aa".repeat(32);
  private static final String HASH_B = "0x" + "bb".repeat(32);

  /** A transport answering from a script; each entry is a JSON body or a failure. */
  private static final class ScriptedTransport implements HeadTracker.Transport {
    final ArrayDeque<Object> script = new ArrayDeque<>();

    @Override
    public CompletableFuture<byte[]> send(byte[] requestJson, Duration timeout) {
      Object next = script.poll();
      if (next instanceof UpstreamException e) {
        return CompletableFuture.failedFuture(e);
      }
      return CompletableFuture.completedFuture(((String) next).getBytes(StandardCharsets.UTF_8));
    }

    void block(long number, String hash) {
      script.add("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0x" + Long.toHexString(number) + "\",\"hash\":\"" + hash + "\"}}");
    }
  }

  private static HeadTracker pollingTracker(ScriptedTransport transport, Clock clock, ScheduledExecutorService unused) {
    return new HeadTracker(transport, Optional.empty(), unused, clock, Duration.ofSeconds(1), 3);
  }

  @Test
  void pollingFollowsTheHeadCountsFailuresAndAcceptsReorgs() {
    ScriptedTransport transport = new ScriptedTransport();
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);
    ScheduledExecutorService never = Executors.newSingleThreadScheduledExecutor();
    try (HeadTracker tracker = pollingTracker(transport, clock, never)) {
      List<Head> seen = new ArrayList<>();
      tracker.onHead(seen::add);
      assertFalse(tracker.healthy(), "no head yet");

      transport.block(5, HASH_A);
      tracker.tick();
      assertEquals(new Head(5, HASH_A, clock.instant()), tracker.head());
      assertTrue(tracker.healthy());

      transport.block(5, HASH_A); // unchanged: no listener call
      tracker.tick();
      transport.script.add(new UpstreamException("upstream timed out after 3000 ms", true));
      transport.script.add("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}");
      transport.script.add("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0x6\",\"hash\":\"0x1234\"}}");
      tracker.tick();
      tracker.tick();
      assertEquals(2, tracker.consecutiveFailures());
      assertTrue(tracker.healthy(), "two failures are tolerated");
      tracker.tick();
      assertEquals(3, tracker.consecutiveFailures(), "a malformed hash is a failure too");
      assertFalse(tracker.healthy());
      assertEquals(5, tracker.head().number(), "failures keep the last head");

      transport.block(4, HASH_B); // a reorg to a shorter chain: polled heads are the truth
      tracker.tick();
      assertEquals(0, tracker.consecutiveFailures());
      assertEquals(new Head(4, HASH_B, clock.instant()), tracker.head());
      assertEquals(List.of(5L, 4L), seen.stream().map(Head::number).toList());
    } finally {
      never.shutdownNow();
    }
  }

  private static void mine(HttpUpstreamClient client, int blocks) throws Exception {
    byte[] request = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"anvil_mine\",\"params\":[\"0x" + Integer.toHexString(blocks) + "\"]}")
        .getBytes(StandardCharsets.UTF_8);
    JsonNode answer = JsonRpcMapper.SHARED.readTree(client.send(request, Duration.ofSeconds(5)).get());
    assertTrue(answer.has("result"), answer.toString());
  }

  private static JsonNode latestBlock(HttpUpstreamClient client) throws Exception {
    byte[] request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"latest\",false]}"
        .getBytes(StandardCharsets.UTF_8);
    return JsonRpcMapper.SHARED.readTree(client.send(request, Duration.ofSeconds(5)).get()).get("result");
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void pollsAnvilsLatestBlock() throws Exception {
    try (AnvilProcess anvil = AnvilProcess.start();
        HttpUpstreamClient client = HttpUpstreamClient.start(
            UpstreamConfig.builder(anvil.httpUrl()).noHeadSubscription().headPollInterval(Duration.ofMillis(100)).build(),
            Clock.systemUTC())) {
      await(() -> client.head().known(), Duration.ofSeconds(5), "first polled head");
      assertEquals(0, client.head().number());
      mine(client, 3);
      await(() -> client.head().number() == 3, Duration.ofSeconds(5), "head 3 by polling");
      assertEquals(latestBlock(client).get("hash").asText(), client.head().hash());
      assertFalse(client.headTracker().subscribed());
      assertTrue(client.headTracker().healthy());
    }
  }

  @Test
  void newHeadsSubscriptionFollowsAnvilAndFallsBackToPollingWhenItDies() throws Exception {
    AnvilProcess anvil = AnvilProcess.start();
    try (HttpUpstreamClient client = HttpUpstreamClient.start(
        UpstreamConfig.builder(anvil.httpUrl())
            .headSubscriptionUrl(anvil.wsUrl())
            .headPollInterval(Duration.ofMillis(200))
            .unhealthyAfterFailures(2)
            .build(),
        Clock.systemUTC())) {
      HeadTracker tracker = client.headTracker();
      await(tracker::subscribed, Duration.ofSeconds(5), "newHeads subscription");
      mine(client, 2);
      await(() -> client.head().number() == 2, Duration.ofSeconds(5), "head 2 from newHeads");
      assertEquals(latestBlock(client).get("hash").asText(), client.head().hash());
      assertTrue(tracker.subscribed(), "heads came by subscription, not polling");
      assertTrue(tracker.healthy());

      anvil.kill();
      await(() -> !tracker.subscribed(), Duration.ofSeconds(5), "subscription noticed as lost");
      await(() -> !tracker.healthy(), Duration.ofSeconds(5), "unhealthy once polls fail too");
      assertEquals(2, client.head().number(), "the last head stays known");
    } finally {
      anvil.close();
    }
  }

  @Test
  void defaultConfigForAnHttpUrlSubscribesOnItsWebSocketTwin() throws Exception {
    try (AnvilProcess anvil = AnvilProcess.start();
        HttpUpstreamClient client = HttpUpstreamClient.start(UpstreamConfig.of(anvil.httpUrl()), Clock.systemUTC())) {
      assertEquals(Optional.of(anvil.wsUrl()), client.config().headSubscriptionUrl());
      await(client.headTracker()::subscribed, Duration.ofSeconds(5), "newHeads on ws:// at the same port");
      mine(client, 1);
      await(() -> client.head().number() == 1, Duration.ofSeconds(5), "head 1");
    }
  }

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-11-23T12:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void failedSubscriptionsAreRetriedWithADoublingBackoffWhilePollingGoesOn() {
    ScriptedTransport transport = new ScriptedTransport();
    ManualClock clock = new ManualClock();
    java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    List<Long> attemptSeconds = new ArrayList<>();
    Instant start = clock.instant();
    ScheduledExecutorService never = Executors.newSingleThreadScheduledExecutor();
    try (HeadTracker tracker = new HeadTracker(transport,
        Optional.of(() -> {
          attempts.incrementAndGet();
          attemptSeconds.add(Duration.between(start, clock.instant()).toSeconds());
          return CompletableFuture.failedFuture(new UpstreamException("upstream WebSocket unreachable (connect failed)", true));
        }),
        never, clock, Duration.ofSeconds(1), 3)) {
      for (int second = 0; second <= 70; second++) {
        transport.block(second, HASH_A.substring(0, 64) + String.format("%02x", second % 256));
        tracker.tick();
        clock.advance(Duration.ofSeconds(1));
      }
      assertEquals(List.of(0L, 1L, 3L, 7L, 15L, 31L, 61L), attemptSeconds, "1, 2, 4, 8, 16, then 30 s apart");
      assertFalse(tracker.subscribed());
      assertEquals(70, tracker.head().number(), "polling kept the head current meanwhile");
      assertTrue(tracker.healthy());
    } finally {
      never.shutdownNow();
    }
  }
}
