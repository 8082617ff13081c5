package io.disjoint.p2p.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.p2p.noise.pb.NoiseProto;
import io.disjoint.p2p.wire.DecodeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The libp2p NoiseHandshakePayload: the sender's identity key, its signature over
 * "noise-libp2p-static-key:" + the sender's static X25519 key, and optional extensions (stream
 * muxers for inlined muxer negotiation). Unknown fields are ignored.
 */
public record HandshakePayload(PubKey identityKey, byte[] identitySignature, List<String> streamMuxers) {
  static final byte[] SIGNATURE_PREFIX = "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_MUXERS = 32;

  public HandshakePayload {
    Objects.requireNonNull(identityKey, "identityKey");
    identitySignature = identitySignature.clone();
    streamMuxers = List.copyOf(streamMuxers);
  }

  @Override
  public byte[] identitySignature() {
    return identitySignature.clone();
  }

  /** Builds and signs the payload binding {@code identity} to {@code staticPublicKey}. */
  public static HandshakePayload sign(PrivKey identity, byte[] staticPublicKey, List<String> muxers) {
    return new HandshakePayload(identity.publicKey(), identity.sign(signedBytes(staticPublicKey)), muxers);
  }

  /** True if the signature binds the identity key to {@code remoteStaticKey}. */
  public boolean verifies(byte[] remoteStaticKey) {
    return identityKey.verify(signedBytes(remoteStaticKey), identitySignature);
  }

  public byte[] encode() {
    NoiseProto.NoiseHandshakePayload.Builder b = NoiseProto.NoiseHandshakePayload.newBuilder()
        .setIdentityKey(ByteString.copyFrom(identityKey.marshal()))
        .setIdentitySig(ByteString.copyFrom(identitySignature));
    if (!streamMuxers.isEmpty()) {
      b.setExtensions(NoiseProto.NoiseExtensions.newBuilder().addAllStreamMuxers(streamMuxers));
    }
    return b.build().toByteArray();
  }

  /**
   * Parses a payload received from a peer.
   *
   * @throws NoiseException (peer fault) if it is malformed or lacks the identity key or signature
   */
  public static HandshakePayload decode(byte[] bytes) {
    NoiseProto.NoiseHandshakePayload pb;
    try {
      pb = NoiseProto.NoiseHandshakePayload.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw NoiseException.peer("malformed Noise handshake payload: " + e.getMessage(), e);
    }
    if (!pb.hasIdentityKey() || !pb.hasIdentitySig()) {
      throw NoiseException.peer("Noise handshake payload lacks identity_key or identity_sig");
    }
    PubKey key;
    try {
      key = PubKey.unmarshal(pb.getIdentityKey().toByteArray());
    } catch (DecodeException e) {
      throw NoiseException.peer("Noise handshake payload has an invalid identity key: " + e.getMessage(), e);
    }
    List<String> muxers = pb.hasExtensions() ? pb.getExtensions().getStreamMuxersList() : List.of();
    if (muxers.size() > MAX_MUXERS) {
      throw NoiseException.peer("Noise handshake payload lists " + muxers.size() + " stream muxers");
    }
    return new HandshakePayload(key, pb.getIdentitySig().toByteArray(), muxers);
  }

  private static byte[] signedBytes(byte[] staticPublicKey) {
    byte[] out = new byte[SIGNATURE_PREFIX.length + staticPublicKey.length];
    System.arraycopy(SIGNATURE_PREFIX, 0, out, 0, SIGNATURE_PREFIX.length);
    System.arraycopy(staticPublicKey, 0, out, SIGNATURE_PREFIX.length, staticPublicKey.length);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HandshakePayload p && p.identityKey.equals(identityKey)
        && java.util.Arrays.equals(p.identitySignature, identitySignature) && p.streamMuxers.equals(streamMuxers);
  }

  @Override
  public int hashCode() {
    return identityKey.hashCode() * 31 + java.util.Arrays.hashCode(identitySignature);
  }

  @Override
  public String toString() {
    return "HandshakePayload[" + identityKey.peerId() + ", muxers=" + streamMuxers + "]";
  }
}
