package io.disjoint.staking.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The writer's lock-free queue: bounded, FIFO per producer, wakes its consumer on time. */
class WriteQueueTest {
  @Test
  void aFullQueueBlocksItsProducerUntilTheConsumerDrains() throws Exception {
    WriteQueue<Integer> q = new WriteQueue<>(4);
    for (int i = 0; i < 4; i++) {
      q.put(i);
    }
    CountDownLatch fifthQueued = new CountDownLatch(1);
    Thread producer = new Thread(() -> {
      try {
        q.put(4);
        fifthQueued.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    producer.start();
    assertFalse(fifthQueued.await(200, TimeUnit.MILLISECONDS), "a fifth put must wait for room");
    List<Integer> out = new ArrayList<>();
    assertEquals(2, q.drainTo(out, 2));
    assertTrue(fifthQueued.await(5, TimeUnit.SECONDS), "draining makes room");
    producer.join(5_000);
    assertEquals(3, q.drainTo(out, 10));
    assertEquals(List.of(0, 1, 2, 3, 4), out, "first in, first out");
    assertTrue(q.isEmpty());
    assertEquals(0, q.size());
  }

  @Test
  void aWaitingConsumerWakesWhenTheQueueReachesTheLengthNotBefore() throws Exception {
    WriteQueue<Integer> q = new WriteQueue<>(1024);
    AtomicInteger seenOnWake = new AtomicInteger(-1);
    CountDownLatch waiting = new CountDownLatch(1);
    Thread consumer = new Thread(() -> {
      waiting.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (q.size() < 100 && System.nanoTime() < deadline) {
        q.awaitLength(100, deadline - System.nanoTime());
      }
      seenOnWake.set(q.size());
    });
    consumer.start();
    waiting.await();
    long started = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      q.put(i);
    }
    consumer.join(10_000);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertEquals(100, seenOnWake.get());
    assertTrue(tookMs < 5_000, "woken by the 100th put, not by its 10 s timeout: " + tookMs + " ms");
  }

  @Test
  void manyProducersLoseNothingAndKeepTheirOwnOrder() throws Exception {
    WriteQueue<Long> q = new WriteQueue<>(64);
    int producers = 4;
    int each = 20_000;
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      long base = (long) p << 32;
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < each; i++) {
            q.put(base | i);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      threads.add(t);
      t.start();
    }
    long[] next = new long[producers];
    int received = 0;
    List<Long> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (received < producers * each && System.nanoTime() < deadline) {
      out.clear();
      if (q.drainTo(out, 100) == 0) {
        q.awaitLength(1, TimeUnit.MILLISECONDS.toNanos(10));
      }
      for (long v : out) {
        int p = (int) (v >>> 32);
        assertEquals(next[p]++, v & 0xffffffffL, "producer " + p + " out of order");
        received++;
      }
    }
    for (Thread t : threads) {
      t.join(5_000);
    }
    assertEquals(producers * each, received);
  }
}
