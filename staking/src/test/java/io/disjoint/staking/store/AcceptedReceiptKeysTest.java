package io.disjoint.staking.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.store.AcceptedReceiptKeys.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The builder's key memory against a model of the store: whatever the order of receipts and
 * rotations, memory never calls a stored key free (it answers the stored answer, or "ask the
 * store"), and with timestamps that mostly increase it almost never has to ask.
 */
class AcceptedReceiptKeysTest {
  private static final Account[] PAYERS = {Account.named("a"), Account.named("b")};

  /** What RocksDB would hold: (epoch, payer, ts, nonce) -> seen key. */
  private final Map<List<Long>, byte[]> stored = new HashMap<>();
  private int watermarkReads;

  private long newest(long epoch, Account payer) {
    watermarkReads++;
    long p = payer.equals(PAYERS[0]) ? 0 : 1;
    return stored.keySet().stream().filter(k -> k.get(0) == epoch && k.get(1) == p)
        .mapToLong(k -> k.get(2)).max().orElse(-1);
  }

  /** A stand-in for the seen key (epoch | id) of receipt {@code n}, content variant {@code v}. */
  private static byte[] seenKey(long n, int v) {
    return Sha256.hash(("id-" + n + "-" + v).getBytes(StandardCharsets.US_ASCII)).toArray();
  }

  /** Runs one append through memory and, when memory must ask, through the model store. */
  private Verdict append(AcceptedReceiptKeys keys, int payer, long epoch, long ts, long nonce,
      int idVariant) throws Exception {
    GroupCommitWriter.TotalsKey tk = new GroupCommitWriter.TotalsKey(epoch, PAYERS[payer]);
    AcceptedReceiptKeys.Group g = keys.group(tk);
    byte[] seen = seenKey(epoch * 1_000_003 + ts * 1009 + nonce * 7 + payer, idVariant);
    Verdict v = keys.check(g, ts, nonce, ~nonce, seen);
    List<Long> k = List.of(epoch, (long) payer, ts, nonce);
    byte[] truth = stored.get(k);
    Verdict expected = truth == null ? Verdict.NEW
        : Arrays.equals(truth, seen) ? Verdict.DUPLICATE : Verdict.NONCE_REUSED;
    if (v == Verdict.UNKNOWN) {
      assertTrue(AcceptedReceiptKeys.mustAskStore(g, ts), "unknown only below the floor");
      v = expected;
    }
    assertEquals(expected, v, "verdict for " + k);
    if (v == Verdict.NEW) {
      keys.remember(g, ts, nonce, ~nonce, seen);
      stored.put(k, seen);
    }
    return v;
  }

  @Property(tries = 300)
  void neverCallsAStoredKeyFree(@ForAll @IntRange(min = 1, max = 12) int generationSize,
      @ForAll long seed) throws Exception {
    stored.clear();
    AcceptedReceiptKeys keys = new AcceptedReceiptKeys(this::newest, generationSize);
    Random random = new Random(seed);
    for (int step = 0; step < 300; step++) {
      if (random.nextInt(10) == 0) {
        keys.rotateIfFull();
        continue;
      }
      if (random.nextInt(100) == 0) {
        long cut = random.nextInt(3);
        keys.forgetEpochsBefore(cut);
        stored.keySet().removeIf(k -> k.get(0) < cut);
        continue;
      }
      // timestamps wander (stragglers included), nonces collide often, ids sometimes differ
      append(keys, random.nextInt(2), random.nextInt(3), random.nextInt(40), random.nextInt(4),
          random.nextInt(5) == 0 ? 1 : 0);
    }
  }

  @Test
  void increasingTimestampsNeverNeedTheStoreAcrossManyRotations() throws Exception {
    AcceptedReceiptKeys keys = new AcceptedReceiptKeys(this::newest, 100);
    int unknown = 0;
    for (long ts = 0; ts < 5_000; ts++) {
      if (ts % 50 == 0) {
        keys.rotateIfFull();
      }
      AcceptedReceiptKeys.Group g = keys.group(new GroupCommitWriter.TotalsKey(7, PAYERS[0]));
      if (keys.check(g, ts, ts, ts, seenKey(ts, 0)) == Verdict.UNKNOWN) {
        unknown++;
      }
      keys.remember(g, ts, ts, ts, seenKey(ts, 0));
      stored.put(List.of(7L, 0L, ts, ts), seenKey(ts, 0));
    }
    assertEquals(0, unknown);
    assertTrue(keys.remembered() <= 200, "two generations at most: " + keys.remembered());
    assertEquals(1, watermarkReads, "the store was asked once, on first touch");
    // a replay of a dropped key is not called free: it goes to the store
    AcceptedReceiptKeys.Group g = keys.group(new GroupCommitWriter.TotalsKey(7, PAYERS[0]));
    assertEquals(Verdict.UNKNOWN, keys.check(g, 10, 10, 10, seenKey(10, 0)));
    assertEquals(Verdict.DUPLICATE, keys.check(g, 4_999, 4_999, 4_999, seenKey(4_999, 0)));
    assertNotEquals(Verdict.NEW, keys.check(g, 4_999, 4_999, 4_999, seenKey(4_999, 1)));
  }

  @Test
  void aLaggingStreamOfTheSamePayerStaysInMemory() throws Exception {
    // one payer's receipts over two connections, one of them 150 receipts behind the other
    // (more than a generation holds)
    AcceptedReceiptKeys keys = new AcceptedReceiptKeys(this::newest, 200);
    int unknown = 0;
    for (long i = 0; i < 5_000; i++) {
      if (i % 25 == 0) {
        keys.rotateIfFull();
      }
      for (long ts : new long[] {2 * i + 300, 2 * i + 1}) {
        AcceptedReceiptKeys.Group g = keys.group(new GroupCommitWriter.TotalsKey(7, PAYERS[0]));
        if (keys.check(g, ts, ts, ts, seenKey(ts, 0)) == Verdict.UNKNOWN) {
          unknown++;
        }
        keys.remember(g, ts, ts, ts, seenKey(ts, 0));
        stored.put(List.of(7L, 0L, ts, ts), seenKey(ts, 0));
      }
    }
    assertEquals(0, unknown, "the late stream never fell below the floor");
    assertTrue(keys.remembered() <= 3 * 200, "bounded: " + keys.remembered());
  }

  @Test
  void aGroupFirstTouchedAfterReopenStartsAboveWhatTheStoreHolds() throws Exception {
    stored.put(List.of(3L, 1L, 500L, 9L), seenKey(1, 0));
    AcceptedReceiptKeys keys = new AcceptedReceiptKeys(this::newest, 100);
    AcceptedReceiptKeys.Group g = keys.group(new GroupCommitWriter.TotalsKey(3, PAYERS[1]));
    assertEquals(501, g.floor);
    assertEquals(Verdict.UNKNOWN, keys.check(g, 500, 9, ~9L, seenKey(1, 0)));
    assertEquals(Verdict.NEW, keys.check(g, 501, 9, ~9L, seenKey(2, 0)));
  }
}
