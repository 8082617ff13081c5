package io.disjoint.staking.receipt;

import io.disjoint.staking.codec.Sha256;
import java.nio.charset.StandardCharsets;
import org.apache.tuweni.bytes.Bytes;

/**
 * A 20-byte account on the ledger (the width of an Ethereum address, so the EVM settlement can
 * use the same ids): payers, stake owners.
 */
public record Account(Bytes bytes) implements Comparable<Account> {
  public static final int SIZE = 20;

  public Account {
    if (bytes == null || bytes.size() != SIZE) {
      throw new IllegalArgumentException("an account is " + SIZE + " bytes");
    }
    bytes = Bytes.wrap(bytes.toArray());
  }

  public static Account fromHex(String hex) {
    Bytes b;
    try {
      b = Bytes.fromHexString(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("account is not hex: " + hex, e);
    }
    if (b.size() != SIZE) {
      throw new IllegalArgumentException("account must be 20 bytes (40 hex digits): " + hex);
    }
    return new Account(b);
  }

  /** A deterministic account for a name (testnets, tests): the last 20 bytes of SHA-256(name). */
  public static Account named(String name) {
    return new Account(Sha256.hash(name.getBytes(StandardCharsets.UTF_8)).slice(12, SIZE));
  }

  public byte[] toArray() {
    return bytes.toArray();
  }

  @Override
  public int compareTo(Account o) {
    return bytes.compareTo(o.bytes);
  }

  @Override
  public String toString() {
    return bytes.toHexString();
  }
}
