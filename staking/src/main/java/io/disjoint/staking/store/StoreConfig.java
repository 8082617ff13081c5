package io.disjoint.staking.store;

import java.time.Duration;

/**
 * Receipt store tuning.
 *
 * @param maxBatch most writes folded into one synced RocksDB batch (default 8192)
 * @param queueCapacity pending writes before {@code append} blocks its caller (default 131072)
 * @param linger how long a group-commit batch that is not full may wait for more writes before it
 *     is built and synced, counted from when its oldest write was queued (default 2 ms;
 *     {@link Duration#ZERO} syncs at once). At relay rates it lets one fsync carry tens of
 *     receipts instead of a few; under load batches fill up first and nothing waits. It adds at
 *     most this much to an acknowledgement and changes nothing about durability.
 */
public record StoreConfig(int maxBatch, int queueCapacity, Duration linger) {
  public static final Duration DEFAULT_LINGER = Duration.ofMillis(2);
  public static final Duration MAX_LINGER = Duration.ofSeconds(1);
  public static final StoreConfig DEFAULTS = new StoreConfig(8192, 131072, DEFAULT_LINGER);

  public StoreConfig {
    if (maxBatch < 1 || maxBatch > 1_000_000) {
      throw new IllegalArgumentException("store.maxBatch must be 1..1000000: " + maxBatch);
    }
    if (queueCapacity < maxBatch) {
      throw new IllegalArgumentException("store.queueCapacity must be >= store.maxBatch");
    }
    if (linger == null || linger.isNegative() || linger.compareTo(MAX_LINGER) > 0) {
      throw new IllegalArgumentException("store.linger must be 0.." + MAX_LINGER.toMillis()
          + " ms: " + linger);
    }
  }

  /** The batch and queue sizes with the default linger. */
  public StoreConfig(int maxBatch, int queueCapacity) {
    this(maxBatch, queueCapacity, DEFAULT_LINGER);
  }

  public StoreConfig withLinger(Duration linger) {
    return new StoreConfig(maxBatch, queueCapacity, linger);
  }
}
