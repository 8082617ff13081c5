package io.disjoint.p2p.noise;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PubKey;
import java.util.List;
import java.util.Objects;

/**
 * Fired as a user event once the Noise handshake succeeded and {@link NoiseFrameCodec} is in the
 * pipeline. {@code remoteMuxers} is the remote's stream_muxers extension (empty if it sent none).
 */
public record NoiseHandshakeComplete(PeerId remotePeer, PubKey remoteKey, List<String> remoteMuxers) {
  public NoiseHandshakeComplete {
    Objects.requireNonNull(remotePeer, "remotePeer");
    Objects.requireNonNull(remoteKey, "remoteKey");
    remoteMuxers = List.copyOf(remoteMuxers);
    if (!remotePeer.matches(remoteKey)) {
      throw new IllegalArgumentException("remotePeer does not belong to remoteKey");
    }
  }
}
