package io.disjoint.p2p.crypto;

import io.disjoint.p2p.wire.DecodeException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;

/**
 * secp256k1 public key as a 33-byte compressed point. Signatures are ECDSA over SHA-256 of the
 * message, DER-encoded, and must be low-S.
 */
public final class Secp256k1PublicKey implements PubKey {
  public static final int LENGTH = 33;

  private final byte[] raw;
  private final ECPublicKeyParameters params;
  private volatile PeerId peerId;
  private volatile byte[] marshalled;

  private Secp256k1PublicKey(ECPoint point) {
    this.raw = point.getEncoded(true);
    this.params = new ECPublicKeyParameters(point, Secp256k1Curve.DOMAIN);
  }

  public static Secp256k1PublicKey fromRaw(byte[] raw) {
    if (raw.length != LENGTH || (raw[0] != 2 && raw[0] != 3)) {
      throw new DecodeException("secp256k1 public key must be a 33-byte compressed point");
    }
    try {
      ECPoint point = Secp256k1Curve.DOMAIN.getCurve().decodePoint(raw).normalize();
      if (point.isInfinity() || !point.isValid()) {
        throw new DecodeException("secp256k1 public key is not a valid curve point");
      }
      return new Secp256k1PublicKey(point);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new DecodeException("secp256k1 public key is not a valid curve point", e);
    }
  }

  static Secp256k1PublicKey fromPoint(ECPoint point) {
    return new Secp256k1PublicKey(point.normalize());
  }

  @Override
  public KeyType type() {
    return KeyType.SECP256K1;
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public byte[] marshal() {
    byte[] m = marshalled;
    if (m == null) {
      m = PubKey.marshal(KeyType.SECP256K1, raw);
      marshalled = m;
    }
    return m.clone();
  }

  @Override
  public boolean verify(byte[] message, byte[] signature) {
    BigInteger[] rs = Secp256k1Curve.decodeStrictDer(signature);
    if (rs == null) {
      return false;
    }
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, params);
    return verifier.verifySignature(Secp256k1Curve.sha256(message), rs[0], rs[1]);
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
    return o instanceof Secp256k1PublicKey other && Arrays.equals(raw, other.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "Secp256k1PublicKey[" + peerId() + "]";
  }
}
