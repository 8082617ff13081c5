package io.disjoint.relay.eth;

import java.util.HexFormat;
import java.util.Locale;
import org.apache.tuweni.bytes.Bytes;

/** A 20-byte Ethereum account address. Text form: lowercase {@code 0x}-prefixed hex. */
public record Address(Bytes value) {
  public static final int SIZE = 20;

  public Address {
    if (value == null || value.size() != SIZE) {
      throw new IllegalArgumentException("an address is 20 bytes, got " + (value == null ? "null" : value.size()));
    }
    value = Bytes.wrap(value.toArrayUnsafe().clone());
  }

  /**
   * Parses {@code 0x} + 40 hex digits. All-lowercase and all-uppercase are accepted as they are;
   * mixed case must carry a valid EIP-55 checksum, so a mistyped address in a policy file is
   * caught instead of silently matching nothing.
   */
  public static Address fromHex(String text) {
    if (text == null || text.length() != 42 || !(text.startsWith("0x") || text.startsWith("0X"))) {
      throw new IllegalArgumentException("not an address (want 0x and 40 hex digits): " + text);
    }
    String hex = text.substring(2);
    byte[] bytes;
    try {
      bytes = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an address (want 0x and 40 hex digits): " + text, e);
    }
    boolean mixed = !hex.equals(hex.toLowerCase(Locale.ROOT)) && !hex.equals(hex.toUpperCase(Locale.ROOT));
    Address address = new Address(Bytes.wrap(bytes));
    if (mixed && !address.toChecksumHex().substring(2).equals(hex)) {
      throw new IllegalArgumentException("address " + text + " has mixed case but a wrong EIP-55 checksum (expected "
          + address.toChecksumHex() + "); check it for a typo");
    }
    return address;
  }

  /** EIP-55 mixed-case form. */
  public String toChecksumHex() {
    String lower = value.toUnprefixedHexString();
    byte[] hash = Keccak.keccak256(lower.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    StringBuilder out = new StringBuilder(42).append("0x");
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0f;
      out.append(c >= 'a' && nibble >= 8 ? Character.toUpperCase(c) : c);
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return value.toHexString();
  }
}
