package io.disjoint.staking.receipt;

import java.math.BigInteger;
import java.time.Duration;

/**
 * What a serving node accepts.
 *
 * @param timestampWindow receipts whose timestamp is further than this from our clock are
 *     rejected (default 60 s)
 * @param maxWillingToLose per payer: the most unvouchered value this node carries before it stops
 *     serving the payer (default 10^17 wei = 0.1 token)
 */
public record VerifierConfig(NetworkDomain domain, EpochSchedule epochs, Duration timestampWindow,
    BigInteger maxWillingToLose) {
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
  public static final BigInteger DEFAULT_MAX_WILLING_TO_LOSE = BigInteger.TEN.pow(17);

  public VerifierConfig {
    if (domain == null || epochs == null) {
      throw new IllegalArgumentException("domain and epochs are required");
    }
    if (timestampWindow == null || timestampWindow.isNegative() || timestampWindow.isZero()) {
      throw new IllegalArgumentException("receipts.timestampWindow must be positive");
    }
    if (maxWillingToLose == null || maxWillingToLose.signum() < 0) {
      throw new IllegalArgumentException("receipts.maxWillingToLose must be >= 0");
    }
  }

  public static VerifierConfig defaults(NetworkDomain domain, EpochSchedule epochs) {
    return new VerifierConfig(domain, epochs, DEFAULT_WINDOW, DEFAULT_MAX_WILLING_TO_LOSE);
  }
}
