package io.disjoint.relay.eth;

import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * Keccak-256 as Ethereum uses it (the original Keccak padding, not SHA3-256), from Bouncy Castle.
 * (Tuweni's crypto module would wrap the same digest but pulls in another Bouncy Castle build and
 * native-library loaders, so the project calls Bouncy Castle directly.)
 */
public final class Keccak {
  private Keccak() {}

  public static byte[] keccak256(byte[]... parts) {
    KeccakDigest digest = new KeccakDigest(256);
    for (byte[] part : parts) {
      digest.update(part, 0, part.length);
    }
    byte[] out = new byte[32];
    digest.doFinal(out, 0);
    return out;
  }
}
