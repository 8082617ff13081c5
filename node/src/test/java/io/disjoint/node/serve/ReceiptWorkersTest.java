package io.disjoint.node.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReceiptWorkersTest {
  @Test
  void aFullQueueSpillsToTheOverflowExecutorAndNothingIsDropped() throws Exception {
    AtomicInteger overflowed = new AtomicInteger();
    Executor overflow = task -> {
      overflowed.incrementAndGet();
      Thread.ofVirtual().start(task);
    };
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocking = new CountDownLatch(1);
    try (ReceiptWorkers workers = new ReceiptWorkers(1, overflow)) {
      workers.execute(() -> {
        blocking.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ran.incrementAndGet();
      });
      assertTrue(blocking.await(5, TimeUnit.SECONDS));
      for (int i = 0; i < ReceiptWorkers.QUEUE_CAPACITY; i++) {
        workers.execute(ran::incrementAndGet);
      }
      assertEquals(0, overflowed.get(), "the queue holds its capacity");
      workers.execute(ran::incrementAndGet);
      assertEquals(1, overflowed.get(), "the task after a full queue goes to the overflow executor");
      release.countDown();
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ran.get() < ReceiptWorkers.QUEUE_CAPACITY + 2 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertEquals(ReceiptWorkers.QUEUE_CAPACITY + 2, ran.get());
  }
}
