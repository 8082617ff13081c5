package io.disjoint.p2p.record;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.p2p.record.pb.EnvelopeProto;
import io.disjoint.p2p.wire.DecodeException;
import io.disjoint.p2p.wire.Uvarint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A libp2p signed envelope (RFC 0002): a payload with a type, signed by a key under a domain
 * string. The signature covers uvarint-length-prefixed domain, payload type and payload, so the
 * same key can sign for different purposes without one signature being replayable as another.
 * Instances returned by {@link #open} and {@link #seal} have a valid signature.
 */
public final class Envelope {
  /** Larger envelopes are refused before parsing. */
  public static final int MAX_BYTES = 16 * 1024;

  private final PubKey publicKey;
  private final byte[] payloadType;
  private final byte[] payload;
  private final byte[] signature;
  private final byte[] marshalled;

  private Envelope(PubKey publicKey, byte[] payloadType, byte[] payload, byte[] signature, byte[] marshalled) {
    this.publicKey = publicKey;
    this.payloadType = payloadType;
    this.payload = payload;
    this.signature = signature;
    this.marshalled = marshalled;
  }

  /** Signs {@code payload} under {@code domain} with {@code key}. */
  public static Envelope seal(PrivKey key, String domain, byte[] payloadType, byte[] payload) {
    Objects.requireNonNull(key, "key");
    requireDomain(domain);
    byte[] signature = key.sign(signedBytes(domain, payloadType, payload));
    byte[] marshalled = EnvelopeProto.Envelope.newBuilder()
        .setPublicKey(ByteString.copyFrom(key.publicKey().marshal()))
        .setPayloadType(ByteString.copyFrom(payloadType))
        .setPayload(ByteString.copyFrom(payload))
        .setSignature(ByteString.copyFrom(signature))
        .build()
        .toByteArray();
    return new Envelope(key.publicKey(), payloadType.clone(), payload.clone(), signature, marshalled);
  }

  /**
   * Parses an envelope and verifies its signature under {@code expectedDomain}.
   *
   * @throws DecodeException (peer fault) if it is malformed, too large, or the signature is invalid
   */
  public static Envelope open(byte[] bytes, String expectedDomain) {
    requireDomain(expectedDomain);
    if (bytes.length > MAX_BYTES) {
      throw new DecodeException("signed envelope of " + bytes.length + " bytes exceeds " + MAX_BYTES);
    }
    EnvelopeProto.Envelope pb;
    try {
      pb = EnvelopeProto.Envelope.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException("malformed signed envelope: " + e.getMessage(), e);
    }
    PubKey key = PubKey.unmarshal(pb.getPublicKey().toByteArray());
    byte[] payloadType = pb.getPayloadType().toByteArray();
    byte[] payload = pb.getPayload().toByteArray();
    byte[] signature = pb.getSignature().toByteArray();
    if (!key.verify(signedBytes(expectedDomain, payloadType, payload), signature)) {
      throw new DecodeException("signed envelope from " + key.peerId()
          + " has an invalid signature for domain '" + expectedDomain + "'");
    }
    return new Envelope(key, payloadType, payload, signature, bytes.clone());
  }

  public PubKey publicKey() {
    return publicKey;
  }

  public PeerId signer() {
    return publicKey.peerId();
  }

  public byte[] payloadType() {
    return payloadType.clone();
  }

  public byte[] payload() {
    return payload.clone();
  }

  public byte[] signature() {
    return signature.clone();
  }

  /** The envelope protobuf (for {@link #open} results: the exact bytes that were received). */
  public byte[] marshal() {
    return marshalled.clone();
  }

  static byte[] signedBytes(String domain, byte[] payloadType, byte[] payload) {
    byte[] d = domain.getBytes(StandardCharsets.UTF_8);
    int length = Uvarint.encodedLength(d.length) + d.length
        + Uvarint.encodedLength(payloadType.length) + payloadType.length
        + Uvarint.encodedLength(payload.length) + payload.length;
    byte[] out = new byte[length];
    int pos = 0;
    for (byte[] part : new byte[][] {d, payloadType, payload}) {
      pos += Uvarint.write(part.length, out, pos);
      System.arraycopy(part, 0, out, pos, part.length);
      pos += part.length;
    }
    return out;
  }

  private static void requireDomain(String domain) {
    if (domain == null || domain.isEmpty()) {
      throw new IllegalArgumentException("signed envelopes need a non-empty domain");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Envelope e && e.publicKey.equals(publicKey) && Arrays.equals(e.payloadType, payloadType)
        && Arrays.equals(e.payload, payload) && Arrays.equals(e.signature, signature);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "Envelope[signer=" + signer() + ", type=" + java.util.HexFormat.of().formatHex(payloadType)
        + ", " + payload.length + " bytes]";
  }
}
