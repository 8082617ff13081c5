package io.disjoint.relay.eth;

import java.math.BigInteger;
import org.apache.tuweni.bytes.Bytes;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;

/**
 * Recovers the address that signed a 32-byte hash with secp256k1 ECDSA, as Ethereum transactions
 * carry it (y parity, r, s). Follows SEC 1 v2 section 4.1.6 with the public key's x coordinate
 * equal to r (recovery ids 2 and 3, where x = r + n, have probability ~2^-127 and Ethereum's
 * y parity cannot express them). Signatures with s above n/2 are refused (EIP-2).
 */
public final class Secp256k1Recovery {
  private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
  private static final ECCurve C = CURVE.getCurve();
  private static final BigInteger N = CURVE.getN();
  private static final BigInteger HALF_N = N.shiftRight(1);

  private Secp256k1Recovery() {}

  public static Address recoverAddress(byte[] hash, int yParity, BigInteger r, BigInteger s) {
    if (hash.length != 32) {
      throw new IllegalArgumentException("hash must be 32 bytes");
    }
    if (yParity != 0 && yParity != 1) {
      throw new InvalidTransactionException("signature y parity must be 0 or 1, got " + yParity);
    }
    if (r.signum() <= 0 || r.compareTo(N) >= 0) {
      throw new InvalidTransactionException("signature r is out of range");
    }
    if (s.signum() <= 0 || s.compareTo(HALF_N) > 0) {
      throw new InvalidTransactionException("signature s is zero or above n/2 (EIP-2 requires low s)");
    }
    byte[] compressed = new byte[33];
    compressed[0] = (byte) (yParity == 0 ? 0x02 : 0x03);
    byte[] rBytes = r.toByteArray();
    int copy = Math.min(rBytes.length, 32);
    System.arraycopy(rBytes, rBytes.length - copy, compressed, 33 - copy, copy);
    ECPoint bigR;
    try {
      bigR = C.decodePoint(compressed);
    } catch (IllegalArgumentException e) {
      throw new InvalidTransactionException("signature r is not the x coordinate of a curve point", e);
    }
    BigInteger e = new BigInteger(1, hash);
    BigInteger rInv = r.modInverse(N);
    BigInteger u1 = e.negate().mod(N).multiply(rInv).mod(N);
    BigInteger u2 = s.multiply(rInv).mod(N);
    ECPoint q = ECAlgorithms.sumOfTwoMultiplies(CURVE.getG(), u1, bigR, u2).normalize();
    if (q.isInfinity()) {
      throw new InvalidTransactionException("signature does not recover a public key");
    }
    byte[] uncompressed = q.getEncoded(false);
    byte[] pubHash = Keccak.keccak256(java.util.Arrays.copyOfRange(uncompressed, 1, 65));
    return new Address(Bytes.wrap(pubHash, 12, 20));
  }
}
