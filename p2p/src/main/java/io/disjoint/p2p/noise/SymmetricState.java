package io.disjoint.p2p.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Noise SymmetricState with SHA-256 (Noise spec rev 34, section 5.2). */
final class SymmetricState {
  static final int HASH_LENGTH = 32;

  private final CipherState cipher = new CipherState();
  private final MessageDigest sha256;
  private final Mac hmac;
  private byte[] chainingKey;
  private byte[] hash;

  SymmetricState(String protocolName) {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
      hmac = Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK SHA-256/HMAC unavailable", e);
    }
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    if (name.length <= HASH_LENGTH) {
      hash = new byte[HASH_LENGTH];
      System.arraycopy(name, 0, hash, 0, name.length);
    } else {
      hash = sha256.digest(name);
    }
    chainingKey = hash.clone();
  }

  void mixKey(byte[] inputKeyMaterial) {
    byte[][] out = hkdf(chainingKey, inputKeyMaterial, 2);
    chainingKey = out[0];
    cipher.initializeKey(out[1]);
  }

  void mixHash(byte[] data) {
    sha256.update(hash);
    sha256.update(data);
    hash = sha256.digest();
  }

  byte[] encryptAndHash(byte[] plaintext) {
    byte[] ciphertext = cipher.encryptWithAd(hash, plaintext);
    mixHash(ciphertext);
    return ciphertext;
  }

  byte[] decryptAndHash(byte[] ciphertext) {
    byte[] plaintext = cipher.decryptWithAd(hash, ciphertext);
    mixHash(ciphertext);
    return plaintext;
  }

  boolean hasKey() {
    return cipher.hasKey();
  }

  byte[] handshakeHash() {
    return hash.clone();
  }

  /** Returns {initiator-to-responder, responder-to-initiator} cipher states. */
  CipherState[] split() {
    byte[][] keys = hkdf(chainingKey, new byte[0], 2);
    CipherState c1 = new CipherState();
    c1.initializeKey(keys[0]);
    CipherState c2 = new CipherState();
    c2.initializeKey(keys[1]);
    return new CipherState[] {c1, c2};
  }

  private byte[][] hkdf(byte[] salt, byte[] ikm, int outputs) {
    byte[] tempKey = hmac(salt, ikm);
    byte[] out1 = hmac(tempKey, new byte[] {1});
    byte[] in2 = new byte[HASH_LENGTH + 1];
    System.arraycopy(out1, 0, in2, 0, HASH_LENGTH);
    in2[HASH_LENGTH] = 2;
    byte[] out2 = hmac(tempKey, in2);
    return outputs == 2 ? new byte[][] {out1, out2} : new byte[][] {out1};
  }

  private byte[] hmac(byte[] key, byte[] data) {
    try {
      hmac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (java.security.InvalidKeyException e) {
      throw new IllegalStateException("HMAC key rejected", e);
    }
    return hmac.doFinal(data);
  }
}
