package io.disjoint.staking.store;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;

/**
 * The receipt store's RocksDB options, per column family, and why. {@link ReceiptStore} owns
 * the family list and the handles; this class only says how each family is tuned.
 */
final class StoreRocksOptions {
  private StoreRocksOptions() {}

  /** Options of the database as a whole; the caller closes them. */
  static DBOptions db(boolean readOnly) {
    return new DBOptions()
        .setCreateIfMissing(!readOnly)
        .setCreateMissingColumnFamilies(!readOnly)
        .setMaxBackgroundJobs(2);
  }

  /**
   * Options of the family {@code name}; the caller closes them.
   *
   * <p>Most duplicate checks are answered from the writer's memory (AcceptedReceiptKeys), so
   * memtable bloom filters would cost every insert for few lookups; table files keep whole-key
   * bloom filters for the lookups that remain (old receipts, get, contains). Seen ids are random
   * (incompressible); receipts compress a little (repeated domain, keys) and LZ4 does that at a
   * fraction of Snappy's CPU on flush and compaction. Receipts are read in key-order scans
   * (vouchers, claims, the CLI): 16 KiB blocks flush and compress a little cheaper; point lookups
   * (seen) keep 4 KiB blocks.
   */
  static ColumnFamilyOptions family(String name) {
    return new ColumnFamilyOptions()
        .setWriteBufferSize(64L << 20)
        .setCompressionType(name.equals("seen") ? CompressionType.NO_COMPRESSION
            : CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(new BlockBasedTableConfig()
            .setBlockSize(name.equals("receipts") ? 16 << 10 : 4 << 10)
            .setFilterPolicy(new BloomFilter(10)));
  }
}
