package io.disjoint.p2p.crypto;

import com.google.protobuf.InvalidProtocolBufferException;
import io.disjoint.p2p.crypto.pb.KeysProto;
import io.disjoint.p2p.wire.DecodeException;

/**
 * A libp2p public key. Instances compare equal when their type and raw bytes are equal.
 *
 * <p>{@link #marshal()} is the deterministic libp2p {@code PublicKey} protobuf (field order,
 * minimal varints), the form peer ids are derived from.
 */
public sealed interface PubKey permits Ed25519PublicKey, Secp256k1PublicKey {
  KeyType type();

  /** The key's own encoding: 32 bytes for Ed25519, 33-byte compressed point for secp256k1. */
  byte[] raw();

  /** The libp2p {@code PublicKey} protobuf. */
  byte[] marshal();

  /** True if {@code signature} is a valid signature of {@code message}; never throws for bad input. */
  boolean verify(byte[] message, byte[] signature);

  PeerId peerId();

  static PubKey fromRaw(KeyType type, byte[] raw) {
    return switch (type) {
      case ED25519 -> Ed25519PublicKey.fromRaw(raw);
      case SECP256K1 -> Secp256k1PublicKey.fromRaw(raw);
    };
  }

  /**
   * Parses a libp2p {@code PublicKey} protobuf.
   *
   * @throws DecodeException if the bytes are not a supported, valid public key
   */
  static PubKey unmarshal(byte[] bytes) {
    KeysProto.PublicKey pb;
    try {
      pb = KeysProto.PublicKey.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException("malformed PublicKey protobuf: " + e.getMessage(), e);
    }
    return fromRaw(KeyType.fromNumber(pb.getType().getNumber()), pb.getData().toByteArray());
  }

  /** Encodes a key as the libp2p protobuf; implementations call this once and cache it. */
  static byte[] marshal(KeyType type, byte[] raw) {
    return KeysProto.PublicKey.newBuilder()
        .setType(KeysProto.KeyType.forNumber(type.number()))
        .setData(com.google.protobuf.ByteString.copyFrom(raw))
        .build()
        .toByteArray();
  }
}
