package io.disjoint.p2p.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.P2pException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
  @TempDir Path dir;

  @Test
  void createsOwnerOnlyFileAndLoadsTheSameKey() throws Exception {
    Path file = dir.resolve("sub/node.key");
    PrivKey created = KeyFiles.loadOrCreate(file, KeyType.ED25519);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertArrayEquals(created.marshal(), Files.readAllBytes(file));
    PrivKey loaded = KeyFiles.loadOrCreate(file, KeyType.ED25519);
    assertEquals(created, loaded);
    assertEquals(created.peerId(), loaded.peerId());
    try (var listing = Files.list(file.getParent())) {
      assertEquals(1, listing.count(), "temporary file left behind");
    }
  }

  @Test
  void keepsStoredKeyTypeEvenIfAnotherIsRequested() {
    Path file = dir.resolve("k");
    PrivKey secp = KeyFiles.loadOrCreate(file, KeyType.SECP256K1);
    assertEquals(KeyType.SECP256K1, KeyFiles.loadOrCreate(file, KeyType.ED25519).type());
    assertEquals(secp, KeyFiles.load(file));
  }

  @Test
  void corruptFileGivesClearOperatorError() throws Exception {
    Path file = dir.resolve("bad.key");
    Files.write(file, new byte[] {1, 2, 3, 4, 5});
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadOrCreate(file, KeyType.ED25519));
    assertEquals(P2pException.Fault.OPERATOR, e.fault());
    assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void refusesWorldReadableFile() throws Exception {
    Path file = dir.resolve("open.key");
    KeyFiles.loadOrCreate(file, KeyType.ED25519);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadOrCreate(file, KeyType.ED25519));
    assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    assertEquals(KeyType.ED25519, KeyFiles.load(file).type()); // group-readable: warned, used
  }
}
