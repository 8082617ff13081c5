package io.disjoint.staking.store;

/**
 * Group-commit counters: synced batches written, writes they held, milliseconds spent building
 * batches (dedup, totals; wall and CPU time), inside the synced RocksDB write (wall and CPU),
 * and waiting for fuller batches (linger); and how many appends had to be checked against
 * RocksDB because they were older than what the builder remembers.
 */
public record WriterStats(long batches, long records, long buildMillis, long buildCpuMillis,
    long syncMillis, long syncCpuMillis, long lingerMillis, long storeLookups) {
  public static final WriterStats NONE = new WriterStats(0, 0, 0, 0, 0, 0, 0, 0);

  public double recordsPerBatch() {
    return batches == 0 ? 0 : (double) records / batches;
  }
}
