package io.disjoint.p2p.crypto;

import io.disjoint.p2p.wire.DecodeException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's identity key on disk: the libp2p {@code PrivateKey} protobuf, the format other libp2p
 * implementations store. Created with owner-only permissions (rw-------). A file that other users
 * can read or write is refused (like ssh does); a group-readable one is used with a warning.
 */
public final class KeyFiles {
  private static final Logger LOG = LoggerFactory.getLogger(KeyFiles.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final int MAX_KEY_FILE_BYTES = 4096;

  private KeyFiles() {}

  /** Loads the key in {@code file}, or creates one of {@code type} if the file does not exist. */
  public static PrivKey loadOrCreate(Path file, KeyType type) {
    return loadOrCreate(file, type, new SecureRandom());
  }

  public static PrivKey loadOrCreate(Path file, KeyType type, SecureRandom random) {
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(file)) {
      PrivKey key = load(file);
      if (key.type() != type) {
        LOG.warn("key file {} holds a {} key, not the requested {}; using the stored key", file, key.type(), type);
      }
      return key;
    }
    PrivKey key = PrivKey.generate(type, random);
    try {
      create(file, key);
      return key;
    } catch (FileAlreadyExistsException e) {
      // another process created it between our check and our move: use theirs
      return load(file);
    }
  }

  /** Reads an existing key file. */
  public static PrivKey load(Path file) {
    checkPermissions(file);
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_KEY_FILE_BYTES) {
        throw new KeyFileException("key file " + file + " is larger than " + MAX_KEY_FILE_BYTES + " bytes; not a key file");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new KeyFileException("cannot read key file " + file + ": " + e.getMessage(), e);
    }
    try {
      return PrivKey.unmarshal(bytes);
    } catch (DecodeException e) {
      throw new KeyFileException(
          "key file " + file + " is corrupt (not a libp2p PrivateKey protobuf: " + e.getMessage()
              + "); restore it from a backup or move it away to create a new identity",
          e);
    }
  }

  private static void create(Path file, PrivKey key) throws FileAlreadyExistsException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
      tmp = posix
          ? Files.createTempFile(dir, ".key-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
          : Files.createTempFile(dir, ".key-", ".tmp");
      Files.write(tmp, key.marshal());
      try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        // createLink fails if the target exists, so two racing creators cannot overwrite each other
        Files.createLink(file, tmp);
      } catch (UnsupportedOperationException | AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
      LOG.info("created new {} identity key in {} (peer id {})", key.type(), file, key.peerId());
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException e) {
      throw new KeyFileException("cannot create key file " + file + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: a stray temp file holds a key nobody uses
        }
      }
    }
  }

  private static void checkPermissions(Path file) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to check
    } catch (IOException e) {
      throw new KeyFileException("cannot read permissions of key file " + file + ": " + e.getMessage(), e);
    }
    if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)
        || perms.contains(PosixFilePermission.GROUP_WRITE)) {
      throw new KeyFileException(
          "key file " + file + " is accessible by other users (" + PosixFilePermissions.toString(perms)
              + "); run: chmod 600 " + file);
    }
    if (perms.contains(PosixFilePermission.GROUP_READ)) {
      LOG.warn("key file {} is readable by its group ({}); consider chmod 600", file, PosixFilePermissions.toString(perms));
    }
  }
}
