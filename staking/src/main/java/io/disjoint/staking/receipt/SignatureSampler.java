package io.disjoint.staking.receipt;

import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which receipts the serving node checks the signature of on the relay path: the first
 * {@code firstPerSender} receipts of each gateway peer, then one in {@code oneIn} at random.
 *
 * <p>Why sampling is enough there: the policy check already requires the receipt's signer to be
 * the Noise-authenticated peer that sent it, so a bad signature can only come from the paying
 * gateway itself. Each bad receipt is caught with probability 1/oneIn and a caught one makes the
 * node refuse that gateway from then on, so a gateway sending bad receipts gets on average
 * {@code oneIn} answers before it is cut off, never more than its payer's risk limit allows (the
 * same loss a gateway that signs correctly but never issues a voucher can cause). Unchecked
 * receipts never reach a claim unverified: {@code EpochClaimBuilder} verifies every leaf.
 *
 * <p>The draw must be unpredictable to the gateway (use a {@code SecureRandom} in production; a
 * seeded {@code Random} in tests). Thread-safe.
 */
public final class SignatureSampler {
  public static final int DEFAULT_ONE_IN = 32;
  public static final int DEFAULT_FIRST_PER_SENDER = 8;
  /** Senders whose first receipts are counted; beyond that, unknown senders are always checked. */
  static final int MAX_TRACKED_SENDERS = 10_000;

  private final int oneIn;
  private final int firstPerSender;
  private final Random random;
  private final ConcurrentHashMap<String, AtomicInteger> firstSeen = new ConcurrentHashMap<>();

  /**
   * @param oneIn check one receipt in this many at random (1 = every receipt)
   * @param firstPerSender always check this many first receipts of each sender
   */
  public SignatureSampler(int oneIn, int firstPerSender, Random random) {
    if (oneIn < 1) {
      throw new IllegalArgumentException("receipt signature sample rate (one in N) must be N >= 1: " + oneIn);
    }
    if (firstPerSender < 0) {
      throw new IllegalArgumentException("receipts checked first per gateway must be >= 0: " + firstPerSender);
    }
    this.oneIn = oneIn;
    this.firstPerSender = firstPerSender;
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Checks every receipt (no sampling). */
  public static SignatureSampler everyReceipt() {
    return new SignatureSampler(1, 0, new Random(0));
  }

  public int oneIn() {
    return oneIn;
  }

  public int firstPerSender() {
    return firstPerSender;
  }

  /** Whether to check the signature of the next receipt from {@code sender}. */
  public boolean shouldVerify(String sender) {
    if (oneIn == 1) {
      return true;
    }
    if (firstPerSender > 0 && isAmongFirst(sender)) {
      return true;
    }
    return random.nextInt(oneIn) == 0;
  }

  private boolean isAmongFirst(String sender) {
    AtomicInteger count = firstSeen.get(sender);
    if (count == null) {
      if (firstSeen.size() >= MAX_TRACKED_SENDERS) {
        return true;
      }
      count = firstSeen.computeIfAbsent(sender, s -> new AtomicInteger());
    }
    while (true) {
      int n = count.get();
      if (n >= firstPerSender) {
        return false;
      }
      if (count.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }
}
