package io.disjoint.p2p.crypto;

import io.disjoint.p2p.wire.Base32;
import io.disjoint.p2p.wire.Base58;
import io.disjoint.p2p.wire.DecodeException;
import io.disjoint.p2p.wire.Uvarint;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A libp2p peer id: the multihash of the peer's marshalled public key, inlined as an identity
 * multihash when the key protobuf is at most 42 bytes (Ed25519, secp256k1) and SHA-256 otherwise.
 * Prints as base58btc; parses base58btc and CIDv1 (multibase base32, codec libp2p-key).
 */
public final class PeerId implements Comparable<PeerId> {
  static final int IDENTITY = 0x00;
  static final int SHA2_256 = 0x12;
  static final int MAX_INLINE_KEY_LENGTH = 42;
  static final int CID_VERSION_1 = 0x01;
  static final int LIBP2P_KEY_CODEC = 0x72;
  /** Longer than any identity or SHA-256 peer id in base58 or base32 (base decoding is quadratic). */
  static final int MAX_TEXT_LENGTH = 128;

  private final byte[] multihash;
  private final int hash;

  private PeerId(byte[] multihash) {
    this.multihash = multihash;
    this.hash = Arrays.hashCode(multihash);
  }

  public static PeerId fromPublicKey(PubKey key) {
    byte[] marshalled = key.marshal();
    if (marshalled.length <= MAX_INLINE_KEY_LENGTH) {
      byte[] mh = new byte[2 + marshalled.length];
      mh[0] = IDENTITY;
      mh[1] = (byte) marshalled.length;
      System.arraycopy(marshalled, 0, mh, 2, marshalled.length);
      return new PeerId(mh);
    }
    byte[] mh = new byte[34];
    mh[0] = SHA2_256;
    mh[1] = 32;
    System.arraycopy(sha256(marshalled), 0, mh, 2, 32);
    return new PeerId(mh);
  }

  /**
   * Wraps multihash bytes after checking their structure: an identity multihash of at most 42
   * bytes or a 32-byte SHA-256 multihash, nothing after the digest.
   */
  public static PeerId fromBytes(byte[] multihash) {
    long code = Uvarint.readComplete(multihash, 0, multihash.length);
    int pos = Uvarint.encodedLength(code);
    long length = Uvarint.readComplete(multihash, pos, multihash.length);
    pos += Uvarint.encodedLength(length);
    if (multihash.length - pos != length) {
      throw new DecodeException(
          "peer id multihash says " + length + " digest bytes but has " + (multihash.length - pos));
    }
    if (code == IDENTITY) {
      if (length > MAX_INLINE_KEY_LENGTH) {
        throw new DecodeException("identity peer id longer than 42 bytes: " + length);
      }
    } else if (code == SHA2_256) {
      if (length != 32) {
        throw new DecodeException("sha2-256 peer id digest must be 32 bytes, got " + length);
      }
    } else {
      throw new DecodeException("unsupported peer id multihash code 0x" + Long.toHexString(code));
    }
    return new PeerId(multihash.clone());
  }

  /** Parses base58btc ("12D3KooW...", "Qm...", "16Uiu2...") or CIDv1 base32 ("bafz..."). */
  public static PeerId parse(String text) {
    if (text.isEmpty()) {
      throw new DecodeException("empty peer id");
    }
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new DecodeException("peer id text longer than " + MAX_TEXT_LENGTH + " characters");
    }
    if (text.charAt(0) == 'b') {
      byte[] cid = Base32.decode(text.substring(1));
      long version = Uvarint.readComplete(cid, 0, cid.length);
      int pos = Uvarint.encodedLength(version);
      long codec = Uvarint.readComplete(cid, pos, cid.length);
      pos += Uvarint.encodedLength(codec);
      if (version != CID_VERSION_1) {
        throw new DecodeException("peer id CID must be version 1, got " + version);
      }
      if (codec != LIBP2P_KEY_CODEC) {
        throw new DecodeException(
            "peer id CID must have codec libp2p-key (0x72), got 0x" + Long.toHexString(codec));
      }
      return fromBytes(Arrays.copyOfRange(cid, pos, cid.length));
    }
    return fromBytes(Base58.decode(text));
  }

  /** The multihash bytes. */
  public byte[] bytes() {
    return multihash.clone();
  }

  public String toBase58() {
    return Base58.encode(multihash);
  }

  /** CIDv1 text form: multibase base32 of {version 1, codec libp2p-key, multihash}. */
  public String toCid() {
    byte[] cid = new byte[2 + multihash.length];
    cid[0] = CID_VERSION_1;
    cid[1] = LIBP2P_KEY_CODEC;
    System.arraycopy(multihash, 0, cid, 2, multihash.length);
    return "b" + Base32.encode(cid);
  }

  /** The public key if this id inlines it (identity multihash), else empty. */
  public Optional<PubKey> extractPublicKey() {
    if (multihash[0] != IDENTITY) {
      return Optional.empty();
    }
    return Optional.of(PubKey.unmarshal(Arrays.copyOfRange(multihash, 2, multihash.length)));
  }

  /** True if this id was derived from {@code key}. */
  public boolean matches(PubKey key) {
    return equals(key.peerId());
  }

  @Override
  public int compareTo(PeerId other) {
    return Arrays.compareUnsigned(multihash, other.multihash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId other && hash == other.hash && Arrays.equals(multihash, other.multihash);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return toBase58();
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
