package io.disjoint.staking.store;

import io.disjoint.staking.codec.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schema version file, {@value #FILE_NAME}, next to the RocksDB files. Plain text:
 *
 * <pre>
 * kind=receipts            (which store: receipts or ledger)
 * schema=1
 * network=disjoint-testnet
 * checksum=&lt;hex SHA-256 of the lines above, each ending in \n&gt;
 * </pre>
 *
 * Written once, atomically (temp file, fsync, rename, fsync dir), when a store is created.
 */
public record StoreMetadata(String kind, int schema, String networkId) {
  public static final String FILE_NAME = "DISJOINT_METADATA";

  public StoreMetadata {
    if (kind == null || !kind.matches("[a-z]{1,32}")) {
      throw new IllegalArgumentException("metadata kind must be [a-z]{1,32}: " + kind);
    }
    if (schema < 1) {
      throw new IllegalArgumentException("schema must be >= 1");
    }
    if (networkId == null || !networkId.matches("[a-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("bad network id: " + networkId);
    }
  }

  private String body() {
    return "kind=" + kind + "\nschema=" + schema + "\nnetwork=" + networkId + "\n";
  }

  public void write(Path dir) throws IOException {
    String body = body();
    String text = body + "checksum=" + Sha256.hash(body.getBytes(StandardCharsets.UTF_8)).toUnprefixedHexString() + "\n";
    Path tmp = dir.resolve(FILE_NAME + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // some file systems cannot fsync a directory; the rename is still atomic
    }
  }

  /** Reads and validates the file; any defect is {@link StoreOpenException.Kind#METADATA_CORRUPT}. */
  public static StoreMetadata read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreOpenException(StoreOpenException.Kind.METADATA_CORRUPT, dir,
          "cannot read " + FILE_NAME + ": " + e.getMessage(), e);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    StringBuilder covered = new StringBuilder();
    String checksum = null;
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw corrupt(dir, "line without key=value: " + line);
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      if (key.equals("checksum")) {
        checksum = value;
      } else if (checksum != null) {
        throw corrupt(dir, "fields after the checksum");
      } else {
        fields.put(key, value);
        covered.append(line).append('\n');
      }
    }
    if (checksum == null) {
      throw corrupt(dir, "no checksum line");
    }
    String expected = Sha256.hash(covered.toString().getBytes(StandardCharsets.UTF_8)).toUnprefixedHexString();
    if (!expected.equals(checksum)) {
      throw corrupt(dir, "checksum mismatch");
    }
    try {
      return new StoreMetadata(fields.get("kind"), Integer.parseInt(fields.getOrDefault("schema", "")),
          fields.get("network"));
    } catch (IllegalArgumentException e) {
      throw corrupt(dir, e.getMessage());
    }
  }

  private static StoreOpenException corrupt(Path dir, String why) {
    return new StoreOpenException(StoreOpenException.Kind.METADATA_CORRUPT, dir, FILE_NAME + ": " + why);
  }

  /**
   * The fail-closed start-up check shared by the receipt store and the ledger. Creates the file
   * only in an empty (or new) directory; otherwise the file must exist and match.
   *
   * @param networkId the expected network, or null to accept any (read-only tools)
   * @return true if the directory was new
   */
  public static boolean checkOrCreate(Path dir, String kind, int codeSchema, String networkId,
      boolean mayCreate) {
    try {
      boolean exists = Files.isDirectory(dir);
      boolean empty = !exists;
      if (exists) {
        try (var s = Files.list(dir)) {
          empty = s.findAny().isEmpty();
        }
      }
      Path file = dir.resolve(FILE_NAME);
      if (empty) {
        if (!mayCreate || networkId == null) {
          throw new StoreOpenException(StoreOpenException.Kind.NO_STORE, dir, "no store here");
        }
        Files.createDirectories(dir);
        new StoreMetadata(kind, codeSchema, networkId).write(dir);
        return true;
      }
      if (!Files.exists(file)) {
        throw new StoreOpenException(StoreOpenException.Kind.METADATA_MISSING, dir,
            FILE_NAME + " is missing but the directory is not empty; refusing to guess what it holds");
      }
      StoreMetadata m = read(dir);
      if (!m.kind().equals(kind)) {
        throw corrupt(dir, "holds a " + m.kind() + " store, expected " + kind);
      }
      if (m.schema() > codeSchema) {
        throw new StoreOpenException(StoreOpenException.Kind.SCHEMA_TOO_NEW, dir,
            "schema " + m.schema() + " was written by newer code; this code knows up to " + codeSchema);
      }
      if (networkId != null && !m.networkId().equals(networkId)) {
        throw new StoreOpenException(StoreOpenException.Kind.WRONG_NETWORK, dir,
            "data belongs to network " + m.networkId() + ", this node is on " + networkId);
      }
      return false;
    } catch (IOException e) {
      throw new StoreOpenException(StoreOpenException.Kind.ROCKSDB, dir, e.getMessage(), e);
    }
  }
}
