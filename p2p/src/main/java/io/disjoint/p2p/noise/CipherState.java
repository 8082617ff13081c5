package io.disjoint.p2p.noise;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Noise CipherState for ChaChaPoly (Noise spec rev 34, sections 5.1 and 12.3): a 32-byte key and a
 * 64-bit nonce encoded as 4 zero bytes followed by the little-endian counter. Uses the JDK's
 * ChaCha20-Poly1305 on byte arrays (its ByteBuffer path copies every buffer that is not
 * array-backed, and allocates for it). Not thread-safe; one instance per direction per connection,
 * used on its event loop.
 */
public final class CipherState {
  public static final int TAG_LENGTH = 16;
  private static final long MAX_NONCE = -1L; // 2^64-1 is reserved

  private SecretKeySpec key;
  private long nonce;
  private final Cipher cipher;
  private final byte[] nonceBytes = new byte[12];

  public CipherState() {
    try {
      cipher = Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK ChaCha20-Poly1305 unavailable", e);
    }
  }

  public void initializeKey(byte[] k) {
    if (k.length != 32) {
      throw new IllegalArgumentException("cipher key must be 32 bytes");
    }
    key = new SecretKeySpec(k, "ChaCha20");
    nonce = 0;
  }

  public boolean hasKey() {
    return key != null;
  }

  public long nonce() {
    return nonce;
  }

  /** For tests of nonce exhaustion only. */
  void setNonce(long n) {
    nonce = n;
  }

  /** Encrypts {@code plaintext} with associated data; returns plaintext unchanged if no key. */
  public byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
    if (key == null) {
      return plaintext.clone();
    }
    byte[] out = new byte[plaintext.length + TAG_LENGTH];
    try {
      init(Cipher.ENCRYPT_MODE);
      if (ad.length > 0) {
        cipher.updateAAD(ad);
      }
      cipher.doFinal(plaintext, 0, plaintext.length, out, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
    nonce++;
    return out;
  }

  /**
   * Decrypts and authenticates; returns ciphertext unchanged if no key.
   *
   * @throws NoiseException (peer fault) if authentication fails
   */
  public byte[] decryptWithAd(byte[] ad, byte[] ciphertext) {
    if (key == null) {
      return ciphertext.clone();
    }
    if (ciphertext.length < TAG_LENGTH) {
      throw NoiseException.peer("ciphertext shorter than the 16-byte tag");
    }
    byte[] out = new byte[ciphertext.length - TAG_LENGTH];
    try {
      init(Cipher.DECRYPT_MODE);
      if (ad.length > 0) {
        cipher.updateAAD(ad);
      }
      cipher.doFinal(ciphertext, 0, ciphertext.length, out, 0);
    } catch (AEADBadTagException e) {
      throw NoiseException.peer("decryption failed: bad authentication tag at nonce " + nonce, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
    }
    nonce++;
    return out;
  }

  /**
   * Decrypts one transport frame (no associated data) in place: {@code buf[offset, offset +
   * length)} holds the ciphertext followed by its tag; on return the plaintext starts at {@code
   * offset}. Works on arrays because the JDK cipher copies ByteBuffers that are not array-backed.
   *
   * @return the plaintext length, {@code length - 16}
   * @throws NoiseException (peer fault) if the frame is shorter than a tag or fails authentication
   */
  public int decryptInPlace(byte[] buf, int offset, int length) {
    requireKey();
    if (length < TAG_LENGTH) {
      throw NoiseException.peer("frame shorter than the 16-byte tag");
    }
    int plainLength;
    try {
      init(Cipher.DECRYPT_MODE);
      plainLength = cipher.doFinal(buf, offset, length, buf, offset);
    } catch (AEADBadTagException e) {
      throw NoiseException.peer("decryption failed: bad authentication tag at nonce " + nonce, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
    }
    nonce++;
    return plainLength;
  }

  /**
   * Starts encrypting one transport frame (no associated data): follow with {@link #encryptUpdate}
   * for each piece of plaintext, in order, and {@link #encryptFinish}.
   */
  public void encryptStart() {
    requireKey();
    try {
      init(Cipher.ENCRYPT_MODE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 init failed", e);
    }
  }

  /**
   * Encrypts {@code length} bytes of plaintext from {@code in[inOffset]} into {@code
   * out[outOffset]}; the two ranges may be the same (in place) but must not otherwise overlap.
   */
  public void encryptUpdate(byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    try {
      cipher.update(in, inOffset, length, out, outOffset);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  /** Writes the 16-byte tag of the frame started by {@link #encryptStart} at {@code out[outOffset]}. */
  public void encryptFinish(byte[] out, int outOffset) {
    try {
      cipher.doFinal(out, outOffset);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
    nonce++;
  }

  private void requireKey() {
    if (key == null) {
      throw new IllegalStateException("transport cipher used before the handshake set a key");
    }
  }

  private void init(int mode) throws GeneralSecurityException {
    if (nonce == MAX_NONCE) {
      throw new NoiseException(NoiseException.Fault.NONE, "Noise nonce exhausted; the connection must be closed");
    }
    long n = nonce;
    for (int i = 0; i < 8; i++) {
      nonceBytes[4 + i] = (byte) (n >>> (8 * i));
    }
    cipher.init(mode, key, new IvParameterSpec(nonceBytes));
  }
}
