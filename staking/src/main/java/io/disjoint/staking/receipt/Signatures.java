package io.disjoint.staking.receipt;

import io.disjoint.p2p.crypto.PubKey;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;

/**
 * Signature checks over libp2p keys carried as marshalled protobuf bytes. Ed25519 goes through
 * Bouncy Castle (which rejects non-canonical encodings, so signatures are not malleable);
 * secp256k1 signatures must be low-S (enforced by the p2p key code).
 */
public final class Signatures {
  private Signatures() {}

  /** The key, or empty if the bytes are not a supported libp2p public key. */
  public static Optional<PubKey> parseKey(Bytes marshalled) {
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
