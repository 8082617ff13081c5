package io.disjoint.p2p.crypto;

import io.disjoint.p2p.wire.DecodeException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** Ed25519 private key; libp2p stores it as 64 bytes: 32-byte seed || 32-byte public key. */
public final class Ed25519PrivateKey implements PrivKey {
  public static final int SEED_LENGTH = 32;

  private final Ed25519PrivateKeyParameters params;
  private final Ed25519PublicKey publicKey;

  private Ed25519PrivateKey(Ed25519PrivateKeyParameters params) {
    this.params = params;
    this.publicKey = Ed25519PublicKey.fromParams(params.generatePublicKey());
  }

  public static Ed25519PrivateKey generate(SecureRandom random) {
    return new Ed25519PrivateKey(new Ed25519PrivateKeyParameters(random));
  }

  public static Ed25519PrivateKey fromSeed(byte[] seed) {
    if (seed.length != SEED_LENGTH) {
      throw new DecodeException("Ed25519 seed must be 32 bytes, got " + seed.length);
    }
    return new Ed25519PrivateKey(new Ed25519PrivateKeyParameters(seed, 0));
  }

  /**
   * Accepts the 64-byte seed || public form and the legacy 96-byte seed || public || public form;
   * the embedded public key must match the one derived from the seed.
   */
  public static Ed25519PrivateKey fromRaw(byte[] raw) {
    if (raw.length != 64 && raw.length != 96) {
      throw new DecodeException("Ed25519 private key must be 64 (or legacy 96) bytes, got " + raw.length);
    }
    Ed25519PrivateKey key = fromSeed(Arrays.copyOfRange(raw, 0, SEED_LENGTH));
    byte[] derived = key.publicKey.raw();
    for (int off = 32; off < raw.length; off += 32) {
      if (!MessageDigest.isEqual(derived, Arrays.copyOfRange(raw, off, off + 32))) {
        throw new DecodeException("Ed25519 private key holds a public key that does not match its seed");
      }
    }
    return key;
  }

  @Override
  public KeyType type() {
    return KeyType.ED25519;
  }

  @Override
  public byte[] raw() {
    byte[] out = new byte[64];
    params.encode(out, 0);
    System.arraycopy(publicKey.raw(), 0, out, 32, 32);
    return out;
  }

  @Override
  public byte[] marshal() {
    return PrivKey.marshal(KeyType.ED25519, raw());
  }

  @Override
  public byte[] sign(byte[] message) {
    byte[] sig = new byte[Ed25519PublicKey.SIGNATURE_LENGTH];
    params.sign(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, sig, 0);
    return sig;
  }

  @Override
  public Ed25519PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ed25519PrivateKey other && MessageDigest.isEqual(raw(), other.raw());
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "Ed25519PrivateKey[" + publicKey.peerId() + "]";
  }
}
