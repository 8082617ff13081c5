package io.disjoint.staking.receipt;

import io.disjoint.p2p.crypto.PubKey;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.tuweni.bytes.Bytes;

/**
 * Signature checks over libp2p keys carried as marshalled protobuf bytes. Ed25519 goes through
 * Bouncy Castle (which rejects non-canonical encodings, so signatures are not malleable);
 * secp256k1 signatures must be low-S (enforced by the p2p key code).
 *
 * <p>Parsed keys are cached: decoding an Ed25519 key decompresses a curve point (a field
 * exponentiation, ~10 us), and every receipt of a gateway names the same signer key twice (the
 * signer-is-sender check and the signature check). The cache holds at most {@link #MAX_CACHED_KEYS}
 * keys and is emptied when full (signer keys are few: one per gateway).
 */
public final class Signatures {
  static final int MAX_CACHED_KEYS = 4096;
  private static final ConcurrentHashMap<Bytes, PubKey> KEYS = new ConcurrentHashMap<>();

  private Signatures() {}

  /** The key, or empty if the bytes are not a supported libp2p public key. */
  public static Optional<PubKey> parseKey(Bytes marshalled) {
    PubKey cached = KEYS.get(marshalled);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<PubKey> parsed = decodeKey(marshalled);
    parsed.ifPresent(k -> {
      if (KEYS.size() >= MAX_CACHED_KEYS) {
        KEYS.clear();
      }
      KEYS.put(marshalled.copy(), k);
    });
    return parsed;
  }

  private static Optional<PubKey> decodeKey(Bytes marshalled) {
    try {
      PubKey k = PubKey.unmarshal(marshalled.toArrayUnsafe());
      return Bytes.wrap(k.marshal()).equals(marshalled) ? Optional.of(k) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  public static boolean verify(Bytes marshalledKey, byte[] message, Bytes signature) {
    Optional<PubKey> key = parseKey(marshalledKey);
    return key.isPresent() && !signature.isEmpty()
        && key.get().verify(message, signature.toArrayUnsafe());
  }
}
