package io.disjoint.staking.receipt;

/**
 * Epoch numbering shared by gateways, nodes and the ledger: epoch n covers
 * [genesisMs + n * lengthMs, genesisMs + (n + 1) * lengthMs).
 */
public record EpochSchedule(long genesisMs, long lengthMs) {
  /** Genesis at the Unix epoch, one-hour epochs. */
  public static final EpochSchedule HOURLY = new EpochSchedule(0, 3_600_000);

  public EpochSchedule {
    if (genesisMs < 0 || lengthMs < 1000) {
      throw new IllegalArgumentException("epochs need genesis >= 0 and a length of at least 1 s");
    }
  }

  public long epochAt(long timestampMs) {
    if (timestampMs < genesisMs) {
      throw new IllegalArgumentException("timestamp " + timestampMs + " is before genesis");
    }
    return (timestampMs - genesisMs) / lengthMs;
  }

  public long startMs(long epoch) {
    return Math.addExact(genesisMs, Math.multiplyExact(epoch, lengthMs));
  }

  public long endMs(long epoch) {
    return startMs(epoch + 1);
  }
}
