package io.disjoint.p2p.crypto;

import io.disjoint.p2p.wire.DecodeException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;

/**
 * secp256k1 private key (32-byte big-endian scalar). Signs ECDSA over SHA-256 with RFC 6979
 * deterministic nonces and normalises s to the lower half of the group order.
 */
public final class Secp256k1PrivateKey implements PrivKey {
  public static final int LENGTH = 32;

  private final BigInteger d;
  private final ECPrivateKeyParameters params;
  private final Secp256k1PublicKey publicKey;

  private Secp256k1PrivateKey(BigInteger d) {
    Secp256k1Curve.requireInRange(d);
    this.d = d;
    this.params = new ECPrivateKeyParameters(d, Secp256k1Curve.DOMAIN);
    this.publicKey =
        Secp256k1PublicKey.fromPoint(
            new FixedPointCombMultiplier().multiply(Secp256k1Curve.DOMAIN.getG(), d));
  }

  public static Secp256k1PrivateKey generate(SecureRandom random) {
    BigInteger n = Secp256k1Curve.DOMAIN.getN();
    BigInteger d;
    do {
      d = new BigInteger(256, random);
    } while (d.signum() == 0 || d.compareTo(n) >= 0);
    return new Secp256k1PrivateKey(d);
  }

  public static Secp256k1PrivateKey fromRaw(byte[] raw) {
    if (raw.length != LENGTH) {
      throw new DecodeException("secp256k1 private key must be 32 bytes, got " + raw.length);
    }
    return new Secp256k1PrivateKey(new BigInteger(1, raw));
  }

  @Override
  public KeyType type() {
    return KeyType.SECP256K1;
  }

  @Override
  public byte[] raw() {
    return BigIntegers.asUnsignedByteArray(LENGTH, d);
  }

  @Override
  public byte[] marshal() {
    return PrivKey.marshal(KeyType.SECP256K1, raw());
  }

  @Override
  public byte[] sign(byte[] message) {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, params);
    BigInteger[] rs = signer.generateSignature(Secp256k1Curve.sha256(message));
    BigInteger s = rs[1];
    if (s.compareTo(Secp256k1Curve.HALF_N) > 0) {
      s = Secp256k1Curve.DOMAIN.getN().subtract(s);
    }
    return Secp256k1Curve.encodeDer(rs[0], s);
  }

  @Override
  public Secp256k1PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secp256k1PrivateKey other && MessageDigest.isEqual(raw(), other.raw());
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "Secp256k1PrivateKey[" + publicKey.peerId() + "]";
  }
}
