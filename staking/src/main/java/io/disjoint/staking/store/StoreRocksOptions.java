package io.disjoint.staking.store;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;

/**
 * The receipt store's RocksDB options, per column family, and why. {@link ReceiptStore} owns
 * the family list and the handles; this class only says how each family is tuned. Figures are
 * from {@code ReceiptBench} on a 2-core machine (docs/receipts.md, "Receipt store").
 */
final class StoreRocksOptions {
  private StoreRocksOptions() {}

  /** Memtable of {@code receipts} (~660 B per receipt: ~190,000 receipts, ~1 s at 200,000/s). */
  static final long RECEIPTS_WRITE_BUFFER = 128L << 20;
  /**
   * Memtable of {@code seen} (~100 B per receipt). Small on purpose: its keys are random ids, so
   * each insert walks the skip list from near its top; in a 64 MiB memtable that walk missed the
   * CPU caches and cost more than the rest of the write (writer CPU per receipt 3.3-4.7 us with
   * 64 MiB, 2.4-2.6 us with 16 MiB). More, smaller flushes of small entries cost little.
   */
  static final long SEEN_WRITE_BUFFER = 16L << 20;
  static final long OTHER_WRITE_BUFFER = 64L << 20;
  /** Full memtables may wait for their flush behind the active one before writes slow down. */
  static final int WRITE_BUFFERS = 3;
  /**
   * L0 files before a compaction starts, for the two families that take a write per receipt:
   * with 128 MiB receipts memtables a burst of ~1.5 million receipts flushes without any
   * compaction, which then runs after the burst instead of competing with it for the two cores.
   */
  static final int L0_COMPACTION_TRIGGER = 8;

  /** Options of the database as a whole; the caller closes them. */
  static DBOptions db(boolean readOnly) {
    return new DBOptions()
        .setCreateIfMissing(!readOnly)
        .setCreateMissingColumnFamilies(!readOnly)
        // the group commit's writer thread appends each batch to the WAL without a write()
        // syscall and its syncer thread calls FlushWAL(sync) once for every batch written so far
        // (GroupCommitWriter, WalSyncer): the next batch fills the memtable during the fsync
        .setManualWalFlush(!readOnly)
        .setMaxBackgroundJobs(2);
  }

  /**
   * Options of the family {@code name}; the caller closes them.
   *
   * <p>Most duplicate checks are answered from the writer's memory (AcceptedReceiptKeys), so
   * memtable bloom filters would cost every insert for few lookups; table files keep whole-key
   * bloom filters for the lookups that remain (old receipts, get, contains). Seen ids are random
   * (incompressible); receipts compress to about half (repeated domain, keys, chain) and LZ4 does
   * that at a fraction of Snappy's CPU on flush and compaction. Receipts are read in key-order
   * scans (vouchers, claims, the CLI): 16 KiB blocks flush and compress a little cheaper; point
   * lookups (seen) keep 4 KiB blocks.
   */
  static ColumnFamilyOptions family(String name) {
    boolean receipts = name.equals("receipts");
    boolean seen = name.equals("seen");
    ColumnFamilyOptions o = new ColumnFamilyOptions()
        .setWriteBufferSize(receipts ? RECEIPTS_WRITE_BUFFER
            : seen ? SEEN_WRITE_BUFFER : OTHER_WRITE_BUFFER)
        .setCompressionType(seen ? CompressionType.NO_COMPRESSION
            : CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(new BlockBasedTableConfig()
            .setBlockSize(receipts ? 16 << 10 : 4 << 10)
            .setFilterPolicy(new BloomFilter(10)));
    if (receipts || seen) {
      o.setMaxWriteBufferNumber(WRITE_BUFFERS)
          .setLevel0FileNumCompactionTrigger(L0_COMPACTION_TRIGGER);
    }
    return o;
  }
}
