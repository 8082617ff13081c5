package io.disjoint.staking.store;

/**
 * Receipt store tuning.
 *
 * @param maxBatch most writes folded into one synced RocksDB batch (default 8192)
 * @param queueCapacity pending writes before {@code append} blocks its caller (default 131072)
 */
public record StoreConfig(int maxBatch, int queueCapacity) {
  public static final StoreConfig DEFAULTS = new StoreConfig(8192, 131072);

  public StoreConfig {
    if (maxBatch < 1 || maxBatch > 1_000_000) {
      throw new IllegalArgumentException("store.maxBatch must be 1..1000000: " + maxBatch);
    }
    if (queueCapacity < maxBatch) {
      throw new IllegalArgumentException("store.queueCapacity must be >= store.maxBatch");
    }
  }
}
