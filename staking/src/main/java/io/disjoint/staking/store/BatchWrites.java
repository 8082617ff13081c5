package io.disjoint.staking.store;

import java.util.Arrays;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The writes of one group-commit batch. Puts are first laid out in Java in RocksDB's WriteBatch
 * serialization (12-byte header: u64 sequence, u32 count, little-endian; then per put a tag
 * 0x05 "value in column family", varint32 family id, varint32-prefixed key and value), and
 * handed to RocksDB in one JNI crossing ({@code new WriteBatch(byte[])}) instead of one per put,
 * which cost more than the put itself. Anything else (a mutation's range delete, save points)
 * needs the JNI WriteBatch: {@link #writeBatch()} turns the puts so far into one, and later
 * puts go straight to it, so the order of all writes is kept.
 */
final class BatchWrites implements AutoCloseable {
  private static final int HEADER = 12;
  private static final byte VALUE_IN_FAMILY = 0x05;

  private byte[] buf;
  private int pos = HEADER;
  private int count;
  private WriteBatch batch;

  /** @param expectedBytes a guess of the serialized size (grows if short) */
  BatchWrites(int expectedBytes) {
    buf = new byte[Math.max(256, expectedBytes)];
  }

  void put(ColumnFamilyHandle family, int familyId, byte[] key, byte[] value)
      throws RocksDBException {
    if (batch != null) {
      batch.put(family, key, value);
      return;
    }
    ensure(1 + 5 + 5 + key.length + 5 + value.length);
    buf[pos++] = VALUE_IN_FAMILY;
    varint(familyId);
    varint(key.length);
    System.arraycopy(key, 0, buf, pos, key.length);
    pos += key.length;
    varint(value.length);
    System.arraycopy(value, 0, buf, pos, value.length);
    pos += value.length;
    count++;
  }

  /** The batch as RocksDB's WriteBatch; from now on every write goes through it. */
  WriteBatch writeBatch() {
    if (batch == null) {
      for (int i = 0; i < 8; i++) {
        buf[i] = 0; // sequence: assigned by RocksDB when written
      }
      for (int i = 0; i < 4; i++) {
        buf[8 + i] = (byte) (count >>> (8 * i));
      }
      batch = new WriteBatch(Arrays.copyOf(buf, pos));
      buf = null;
    }
    return batch;
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  private void varint(int v) {
    while ((v & ~0x7f) != 0) {
      buf[pos++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  @Override
  public void close() {
    if (batch != null) {
      batch.close();
    }
  }
}
