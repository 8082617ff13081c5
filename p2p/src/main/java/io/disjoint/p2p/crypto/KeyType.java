package io.disjoint.p2p.crypto;

import io.disjoint.p2p.wire.DecodeException;

/** Key types this module signs and verifies with; numbers are the libp2p KeyType protobuf enum. */
public enum KeyType {
  ED25519(1),
  SECP256K1(2);

  private final int number;

  KeyType(int number) {
    this.number = number;
  }

  /** The value of the libp2p protobuf {@code KeyType} enum. */
  public int number() {
    return number;
  }

  public static KeyType fromNumber(int number) {
    return switch (number) {
      case 1 -> ED25519;
      case 2 -> SECP256K1;
      case 0 -> throw new DecodeException("RSA keys are not supported");
      case 3 -> throw new DecodeException("ECDSA (P-256) keys are not supported");
      default -> throw new DecodeException("unknown libp2p key type " + number);
    };
  }
}
