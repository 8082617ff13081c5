package io.disjoint.p2p.noise;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) on the JDK's XDH provider, with keys as raw 32-byte little-endian strings as
 * Noise uses them.
 */
public final class X25519 {
  public static final int KEY_LENGTH = 32;
  private static final BigInteger BASE_POINT = BigInteger.valueOf(9);

  private X25519() {}

  /** A key pair; {@code privateKey} is the raw scalar, {@code publicKey} the raw u-coordinate. */
  public record KeyPair32(byte[] privateKey, byte[] publicKey) {
    public KeyPair32 {
      if (privateKey.length != KEY_LENGTH || publicKey.length != KEY_LENGTH) {
        throw new IllegalArgumentException("X25519 keys are 32 bytes");
      }
      privateKey = privateKey.clone();
      publicKey = publicKey.clone();
    }

    @Override
    public byte[] privateKey() {
      return privateKey.clone();
    }

    @Override
    public byte[] publicKey() {
      return publicKey.clone();
    }

    @Override
    public String toString() {
      return "X25519KeyPair[public=" + java.util.HexFormat.of().formatHex(publicKey) + "]";
    }
  }

  public static KeyPair32 generate(SecureRandom random) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("X25519");
      gen.initialize(NamedParameterSpec.X25519, random);
      KeyPair kp = gen.generateKeyPair();
      byte[] priv = ((XECPrivateKey) kp.getPrivate()).getScalar()
          .orElseThrow(() -> new IllegalStateException("X25519 private key without a scalar"));
      return new KeyPair32(priv, encodeU(((XECPublicKey) kp.getPublic()).getU()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK X25519 unavailable", e);
    }
  }

  /** Derives the public key of a raw private scalar (for fixed keys in tests and vectors). */
  public static KeyPair32 fromPrivate(byte[] privateKey) {
    byte[] base = encodeU(BASE_POINT);
    return new KeyPair32(privateKey, agree(privateKey, base));
  }

  /**
   * DH(private, public) as raw bytes.
   *
   * @throws NoiseException (peer fault) if the remote public key yields the all-zero secret
   */
  public static byte[] agree(byte[] privateKey, byte[] remotePublic) {
    try {
      KeyFactory kf = KeyFactory.getInstance("XDH");
      XECPrivateKeySpec privSpec = new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey);
      XECPublicKeySpec pubSpec = new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(remotePublic));
      KeyAgreement ka = KeyAgreement.getInstance("X25519");
      ka.init(kf.generatePrivate(privSpec));
      ka.doPhase(kf.generatePublic(pubSpec), true);
      byte[] secret = ka.generateSecret();
      if (isAllZero(secret)) {
        throw NoiseException.peer("X25519 agreement produced the all-zero secret (low-order public key)");
      }
      return secret;
    } catch (java.security.InvalidKeyException e) {
      throw NoiseException.peer("invalid X25519 public key: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK X25519 unavailable", e);
    }
  }

  private static boolean isAllZero(byte[] b) {
    int acc = 0;
    for (byte x : b) {
      acc |= x;
    }
    return acc == 0;
  }

  static byte[] encodeU(BigInteger u) {
    byte[] be = u.toByteArray();
    byte[] le = new byte[KEY_LENGTH];
    for (int i = 0; i < KEY_LENGTH && i < be.length; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  static BigInteger decodeU(byte[] le) {
    if (le.length != KEY_LENGTH) {
      throw NoiseException.peer("X25519 public key must be 32 bytes, got " + le.length);
    }
    byte[] be = new byte[KEY_LENGTH];
    for (int i = 0; i < KEY_LENGTH; i++) {
      be[i] = le[KEY_LENGTH - 1 - i];
    }
    be[0] &= 0x7F; // RFC 7748: ignore the most significant bit
    return new BigInteger(1, be);
  }

  static boolean sameKey(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
