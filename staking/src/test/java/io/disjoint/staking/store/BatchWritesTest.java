package io.disjoint.staking.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** Puts serialized in Java reach RocksDB intact, in order with writes made through JNI. */
class BatchWritesTest {
  static {
    RocksDB.loadLibrary();
  }

  @TempDir Path dir;

  @Test
  void serializedPutsAndLaterJniWritesLandInOrderInTheRightFamilies() throws Exception {
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions().setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true);
        ColumnFamilyOptions cf = new ColumnFamilyOptions();
        RocksDB db = RocksDB.open(options, dir.toString(), List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cf),
            new ColumnFamilyDescriptor("a".getBytes(StandardCharsets.US_ASCII), cf),
            new ColumnFamilyDescriptor("b".getBytes(StandardCharsets.US_ASCII), cf)), handles);
        WriteOptions sync = new WriteOptions().setSync(true)) {
      ColumnFamilyHandle a = handles.get(1);
      ColumnFamilyHandle b = handles.get(2);
      Random random = new Random(7);
      List<byte[]> values = new ArrayList<>();
      BatchWrites writes = new BatchWrites(100);
      // sizes across the varint boundaries (127/128, 16383/16384) and past the initial buffer
      int[] sizes = {0, 1, 127, 128, 300, 16_383, 16_384, 70_000};
      for (int i = 0; i < sizes.length; i++) {
        byte[] v = new byte[sizes[i]];
        random.nextBytes(v);
        values.add(v);
        writes.put(i % 2 == 0 ? a : b, (i % 2 == 0 ? a : b).getID(), key(i), v);
      }
      // a mutation after the puts: a range delete of key 0..1 in "a", then one more put
      WriteBatch batch = writes.writeBatch();
      batch.deleteRange(a, key(0), key(2));
      writes.put(b, b.getID(), key(99), values.get(2));
      assertEquals(sizes.length + 2, batch.count());
      db.write(sync, batch);
      writes.close();

      assertNull(db.get(a, key(0)), "deleted by the later range delete");
      for (int i = 1; i < sizes.length; i++) {
        assertArrayEquals(values.get(i), db.get(i % 2 == 0 ? a : b, key(i)), "key " + i);
        assertNull(db.get(i % 2 == 0 ? b : a, key(i)), "key " + i + " only in its family");
      }
      assertArrayEquals(values.get(2), db.get(b, key(99)));
      handles.forEach(ColumnFamilyHandle::close);
    }
  }

  private static byte[] key(int i) {
    return new byte[] {0, 0, 0, (byte) i};
  }
}
