package io.disjoint.staking.store;

/**
 * Group-commit counters: synced batches written, writes they held, milliseconds spent building
 * batches (dedup lookups, totals; wall and CPU time) and inside the synced RocksDB write.
 */
public record WriterStats(long batches, long records, long buildMillis, long buildCpuMillis,
    long syncMillis, long syncCpuMillis) {
  public double recordsPerBatch() {
    return batches == 0 ? 0 : (double) records / batches;
  }
}
