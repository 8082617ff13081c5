package io.disjoint.p2p.crypto;

import io.disjoint.p2p.wire.DecodeException;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** Ed25519 public key (RFC 8032), verified with Bouncy Castle (much faster than the JDK's). */
public final class Ed25519PublicKey implements PubKey {
  public static final int LENGTH = 32;
  public static final int SIGNATURE_LENGTH = 64;

  private final byte[] raw;
  private final Ed25519PublicKeyParameters params;
  private volatile PeerId peerId;
  private volatile byte[] marshalled;

  private Ed25519PublicKey(byte[] raw, Ed25519PublicKeyParameters params) {
    this.raw = raw;
    this.params = params;
  }

  public static Ed25519PublicKey fromRaw(byte[] raw) {
    if (raw.length != LENGTH) {
      throw new DecodeException("Ed25519 public key must be 32 bytes, got " + raw.length);
    }
    try {
      return new Ed25519PublicKey(raw.clone(), new Ed25519PublicKeyParameters(raw, 0));
    } catch (IllegalArgumentException e) {
      throw new DecodeException("Ed25519 public key is not a valid curve point", e);
    }
  }

  static Ed25519PublicKey fromParams(Ed25519PublicKeyParameters params) {
    return new Ed25519PublicKey(params.getEncoded(), params);
  }

  @Override
  public KeyType type() {
    return KeyType.ED25519;
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public byte[] marshal() {
    byte[] m = marshalled;
    if (m == null) {
      m = PubKey.marshal(KeyType.ED25519, raw);
      marshalled = m;
    }
    return m.clone();
  }

  @Override
  public boolean verify(byte[] message, byte[] signature) {
    if (signature == null || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    return params.verify(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, signature, 0);
  }

  @Override
  public PeerId peerId() {
    PeerId p = peerId;
    if (p == null) {
      p = PeerId.fromPublicKey(this);
      peerId = p;
    }
    return p;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ed25519PublicKey other && Arrays.equals(raw, other.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "Ed25519PublicKey[" + peerId() + "]";
  }
}
