package io.disjoint.p2p.crypto;

import com.google.protobuf.InvalidProtocolBufferException;
import io.disjoint.p2p.crypto.pb.KeysProto;
import io.disjoint.p2p.wire.DecodeException;
import java.security.SecureRandom;

/**
 * A libp2p private key. {@link #marshal()} is the libp2p {@code PrivateKey} protobuf, the format
 * libp2p implementations store on disk. {@code toString()} never reveals key material.
 */
public sealed interface PrivKey permits Ed25519PrivateKey, Secp256k1PrivateKey {
  KeyType type();

  /** Ed25519: 64 bytes seed || public key; secp256k1: the 32-byte big-endian scalar. */
  byte[] raw();

  byte[] marshal();

  byte[] sign(byte[] message);

  PubKey publicKey();

  default PeerId peerId() {
    return publicKey().peerId();
  }

  static PrivKey generate(KeyType type, SecureRandom random) {
    return switch (type) {
      case ED25519 -> Ed25519PrivateKey.generate(random);
      case SECP256K1 -> Secp256k1PrivateKey.generate(random);
    };
  }

  static PrivKey fromRaw(KeyType type, byte[] raw) {
    return switch (type) {
      case ED25519 -> Ed25519PrivateKey.fromRaw(raw);
      case SECP256K1 -> Secp256k1PrivateKey.fromRaw(raw);
    };
  }

  /**
   * Parses a libp2p {@code PrivateKey} protobuf.
   *
   * @throws DecodeException if the bytes are not a supported, valid private key
   */
  static PrivKey unmarshal(byte[] bytes) {
    KeysProto.PrivateKey pb;
    try {
      pb = KeysProto.PrivateKey.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException("malformed PrivateKey protobuf: " + e.getMessage(), e);
    }
    return fromRaw(KeyType.fromNumber(pb.getType().getNumber()), pb.getData().toByteArray());
  }

  static byte[] marshal(KeyType type, byte[] raw) {
    return KeysProto.PrivateKey.newBuilder()
        .setType(KeysProto.KeyType.forNumber(type.number()))
        .setData(com.google.protobuf.ByteString.copyFrom(raw))
        .build()
        .toByteArray();
  }
}
