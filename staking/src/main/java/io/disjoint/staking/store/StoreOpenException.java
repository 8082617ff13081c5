package io.disjoint.staking.store;

import io.disjoint.staking.StakingException;
import java.nio.file.Path;

/**
 * The data directory cannot be used as it is. Start-up stops; nothing is deleted or rewritten,
 * so the operator can inspect, restore or move the directory.
 */
public final class StoreOpenException extends StakingException {
  /** What is wrong with the directory. */
  public enum Kind {
    /** RocksDB files are present but the metadata file is not. */
    METADATA_MISSING,
    /** The metadata file cannot be parsed or its checksum does not match. */
    METADATA_CORRUPT,
    /** The directory was written by a newer version of this code. */
    SCHEMA_TOO_NEW,
    /** The directory belongs to another network. */
    WRONG_NETWORK,
    /** A read-only open of a directory that holds no store. */
    NO_STORE,
    /** The data disagrees with itself (e.g. ledger state vs. its log). */
    INCONSISTENT,
    /** RocksDB itself refused to open (corruption, lock held, I/O). */
    ROCKSDB
  }

  private final Kind kind;
  private final Path dir;

  public StoreOpenException(Kind kind, Path dir, String message) {
    super(kind + " in " + dir + ": " + message);
    this.kind = kind;
    this.dir = dir;
  }

  public StoreOpenException(Kind kind, Path dir, String message, Throwable cause) {
    super(kind + " in " + dir + ": " + message, cause);
    this.kind = kind;
    this.dir = dir;
  }

  public Kind kind() {
    return kind;
  }

  public Path dir() {
    return dir;
  }
}
