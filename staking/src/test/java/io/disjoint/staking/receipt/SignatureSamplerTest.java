package io.disjoint.staking.receipt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SignatureSamplerTest {
  @Test
  void theSampleRateIsHonouredStatistically() {
    for (int oneIn : new int[] {2, 32, 64}) {
      SignatureSampler sampler = new SignatureSampler(oneIn, 0, new Random(oneIn * 7919L));
      int draws = 200_000;
      int picked = 0;
      for (int i = 0; i < draws; i++) {
        if (sampler.shouldVerify("gw")) {
          picked++;
        }
      }
      double p = 1.0 / oneIn;
      double expected = draws * p;
      double sd = Math.sqrt(draws * p * (1 - p));
      assertTrue(Math.abs(picked - expected) < 5 * sd,
          "one in " + oneIn + ": " + picked + " of " + draws + ", expected " + expected + " +- " + 5 * sd);
    }
  }

  @Test
  void theFirstReceiptsOfEachSenderAreAlwaysChecked() {
    // A Random whose draws never pick: only the first-per-sender rule can say "check".
    Random never = new Random() {
      @Override
      public int nextInt(int bound) {
        return bound - 1;
      }
    };
    SignatureSampler sampler = new SignatureSampler(32, 3, never);
    for (int i = 0; i < 3; i++) {
      assertTrue(sampler.shouldVerify("gw-a"), "receipt " + i + " of gw-a");
    }
    assertFalse(sampler.shouldVerify("gw-a"));
    assertTrue(sampler.shouldVerify("gw-b"), "another gateway has its own first receipts");
  }

  @Test
  void whenTooManySendersAreTrackedUnknownOnesAreAlwaysChecked() {
    AtomicInteger draws = new AtomicInteger();
    Random never = new Random() {
      @Override
      public int nextInt(int bound) {
        draws.incrementAndGet();
        return bound - 1;
      }
    };
    SignatureSampler sampler = new SignatureSampler(32, 1, never);
    for (int i = 0; i < SignatureSampler.MAX_TRACKED_SENDERS; i++) {
      assertTrue(sampler.shouldVerify("gw-" + i));
    }
    assertTrue(sampler.shouldVerify("one-more"), "untracked: checked, never skipped");
    assertTrue(sampler.shouldVerify("one-more"));
    assertFalse(sampler.shouldVerify("gw-0"), "tracked senders past their first receipts are sampled");
    assertEquals(1, draws.get());
  }

  @Test
  void oneInOneChecksEverythingAndBadSettingsAreRefused() {
    SignatureSampler all = SignatureSampler.everyReceipt();
    for (int i = 0; i < 1000; i++) {
      assertTrue(all.shouldVerify("gw"));
    }
    assertThrows(IllegalArgumentException.class, () -> new SignatureSampler(0, 1, new Random()));
    assertThrows(IllegalArgumentException.class, () -> new SignatureSampler(2, -1, new Random()));
  }
}
