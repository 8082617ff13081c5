package io.disjoint.staking.receipt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.testing.MutableClock;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.tuweni.bytes.Bytes32;
import org.junit.jupiter.api.Test;

class RecentReceiptIdsTest {
  private final MutableClock clock = new MutableClock(1_795_000_000_000L);
  private final Set<Bytes32> durable = new HashSet<>();
  private final AtomicInteger lookups = new AtomicInteger();
  private final RecentReceiptIds ids = new RecentReceiptIds((epoch, id) -> {
    lookups.incrementAndGet();
    return durable.contains(id);
  }, clock, 10_000);

  private static Bytes32 id(int i) {
    return Sha256.hash(new byte[] {(byte) i, (byte) (i >> 8), 7});
  }

  @Test
  void aReplayInMemoryIsCaughtWithoutTheDurableLookup() {
    assertTrue(ids.firstSight(1, id(1)));
    assertEquals(1, lookups.get());
    clock.advance(9_000);
    assertFalse(ids.firstSight(1, id(1)));
    assertEquals(1, lookups.get(), "answered from memory");
  }

  @Test
  void idsAreForgottenAfterTheMemoryAndThenTheStoreAnswers() {
    for (int i = 0; i < 100; i++) {
      assertTrue(ids.firstSight(1, id(i)));
      clock.advance(50);
    }
    assertEquals(100, ids.remembered());
    durable.add(id(3));
    clock.advance(11_000);
    assertTrue(ids.firstSight(1, id(1000)));
    assertEquals(1, ids.remembered(), "everything older than 10 s is forgotten");
    assertFalse(ids.firstSight(1, id(3)), "the store's seen index still catches a stored one");
    assertTrue(ids.firstSight(1, id(4)), "forgotten and never stored: the time window is what rejects it in the verifier");
  }

  @Test
  void twoCopiesRacingOnDifferentThreadsPassOnlyOnce() throws Exception {
    for (int round = 0; round < 200; round++) {
      Bytes32 id = id(10_000 + round);
      AtomicInteger passed = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);
      Thread[] threads = new Thread[4];
      for (int t = 0; t < threads.length; t++) {
        threads[t] = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          if (ids.firstSight(1, id)) {
            passed.incrementAndGet();
          }
        });
        threads[t].start();
      }
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(1, passed.get(), "round " + round);
    }
  }
}
