package io.disjoint.staking.store;

/**
 * Group-commit counters: batches acknowledged and the writes they held, WAL syncs (one sync
 * covers every batch written before it), and milliseconds spent building batches (dedup,
 * totals), writing them into the WAL and memtables, and syncing the WAL (each wall and CPU
 * time of its thread), and waiting for fuller batches (linger); and how many appends had to be
 * checked against RocksDB because they were older than what the builder remembers.
 */
public record WriterStats(long batches, long records, long syncs, long buildMillis,
    long buildCpuMillis, long writeMillis, long writeCpuMillis, long syncMillis,
    long syncCpuMillis, long lingerMillis, long storeLookups) {
  public static final WriterStats NONE = new WriterStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  public double recordsPerBatch() {
    return batches == 0 ? 0 : (double) records / batches;
  }

  public double recordsPerSync() {
    return syncs == 0 ? 0 : (double) records / syncs;
  }
}
