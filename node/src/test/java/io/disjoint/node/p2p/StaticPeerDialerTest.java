package io.disjoint.node.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StaticPeerDialerTest {
  private static final String PEER = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
  /** Delays the dialer asked for, in order: the back-off itself, not wall-clock gaps a busy machine stretches. */
  private final List<Long> requestedDelaysMs = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler = new ScheduledThreadPoolExecutor(1) {
    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
      requestedDelaysMs.add(unit.toMillis(delay));
      return super.schedule(task, delay, unit);
    }
  };

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private static void awaitTrue(java.util.function.BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!cond.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(cond.getAsBoolean(), "condition not reached in 5 s");
  }

  @Test
  void retriesWithGrowingBackoffUntilTheDialSucceeds() throws Exception {
    Multiaddr addr = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + PEER);
    List<Long> attempts = new CopyOnWriteArrayList<>();
    AtomicInteger failuresLeft = new AtomicInteger(5);
    StaticPeerDialer dialer = new StaticPeerDialer(List.of(addr), a -> {
      attempts.add(System.nanoTime());
      return failuresLeft.getAndDecrement() > 0
          ? CompletableFuture.failedFuture(new java.net.ConnectException("refused"))
          : CompletableFuture.completedFuture(null);
    }, scheduler, new Random(1), Duration.ofMillis(10), Duration.ofMillis(80));
    dialer.start();
    awaitTrue(() -> attempts.size() == 6);
    Thread.sleep(200);
    assertEquals(6, attempts.size(), "no dial after the successful one");
    // delays: the first dial at once, then one back-off per failure (10 ms doubling to the 80 ms cap, +-20%)
    assertEquals(6, requestedDelaysMs.size(), "one scheduled dial per attempt: " + requestedDelaysMs);
    assertEquals(0, requestedDelaysMs.get(0), "the first dial is immediate");
    long firstBackoff = requestedDelaysMs.get(1);
    long lastBackoff = requestedDelaysMs.get(5);
    assertTrue(firstBackoff >= 8 && firstBackoff <= 12, "first back-off ~10 ms: " + requestedDelaysMs);
    assertTrue(lastBackoff >= 64 && lastBackoff <= 96, "capped back-off ~80 ms: " + requestedDelaysMs);
    assertTrue(lastBackoff > firstBackoff * 3, "back-off grows: " + requestedDelaysMs);
    long lastGap = attempts.get(5) - attempts.get(4);
    assertTrue(lastGap >= TimeUnit.MILLISECONDS.toNanos(lastBackoff), "the dialer waited the back-off: " + lastGap + " ns");
    assertEquals(Duration.ofMillis(10), dialer.currentBackoff(addr), "reset after success");
    dialer.close();
  }

  @Test
  void redialsAStaticPeerWhenItsConnectionDropsButNotOthers() throws Exception {
    Multiaddr addr = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + PEER);
    AtomicInteger dials = new AtomicInteger();
    StaticPeerDialer dialer = new StaticPeerDialer(List.of(addr), a -> {
      dials.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }, scheduler, new Random(1), Duration.ofMillis(5), Duration.ofMillis(50));
    dialer.start();
    awaitTrue(() -> dials.get() == 1);
    dialer.onDisconnected(PeerId.parse(PEER));
    awaitTrue(() -> dials.get() == 2);
    PeerId stranger = PeerId.fromPublicKey(io.disjoint.p2p.crypto.KeyFiles
        .loadOrCreate(java.nio.file.Files.createTempDirectory("k").resolve("key"), KeyType.ED25519).publicKey());
    dialer.onDisconnected(stranger);
    dialer.close();
    dialer.onDisconnected(PeerId.parse(PEER));
    Thread.sleep(100);
    assertEquals(2, dials.get(), "no dial for unknown peers or after close");
  }
}
