package io.disjoint.p2p.crypto;

import io.disjoint.p2p.wire.DecodeException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;

/** secp256k1 domain parameters and the strict DER signature encoding libp2p uses. */
final class Secp256k1Curve {
  static final ECDomainParameters DOMAIN;
  static final BigInteger HALF_N;

  static {
    X9ECParameters p = CustomNamedCurves.getByName("secp256k1");
    DOMAIN = new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH());
    HALF_N = p.getN().shiftRight(1);
  }

  private Secp256k1Curve() {}

  static byte[] sha256(byte[] message) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(message);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  static byte[] encodeDer(BigInteger r, BigInteger s) {
    try {
      return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)})
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException("DER encoding of two integers failed", e);
    }
  }

  /**
   * Parses a DER signature {r, s}; returns null unless it is canonical DER with r and s in
   * [1, n-1] and s in the lower half (low-S, as BIP 62 and js-libp2p require).
   */
  static BigInteger[] decodeStrictDer(byte[] signature) {
    if (signature == null || signature.length < 8 || signature.length > 72) {
      return null;
    }
    try {
      ASN1Primitive prim = ASN1Primitive.fromByteArray(signature);
      if (!(prim instanceof ASN1Sequence seq) || seq.size() != 2) {
        return null;
      }
      if (!(seq.getObjectAt(0) instanceof ASN1Integer ri)
          || !(seq.getObjectAt(1) instanceof ASN1Integer si)) {
        return null;
      }
      BigInteger r = ri.getPositiveValue();
      BigInteger s = si.getPositiveValue();
      if (ri.getValue().signum() <= 0 || si.getValue().signum() <= 0) {
        return null;
      }
      if (r.compareTo(DOMAIN.getN()) >= 0 || s.compareTo(HALF_N) > 0) {
        return null;
      }
      if (!Arrays.equals(encodeDer(r, s), signature)) {
        return null; // not the canonical encoding (padding, long-form lengths, trailing bytes)
      }
      return new BigInteger[] {r, s};
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      return null;
    }
  }

  static void requireInRange(BigInteger d) {
    if (d.signum() <= 0 || d.compareTo(DOMAIN.getN()) >= 0) {
      throw new DecodeException("secp256k1 private key is out of range [1, n-1]");
    }
  }
}
