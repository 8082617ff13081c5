package io.disjoint.p2p.record;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.multiaddr.Multiaddr;
import io.disjoint.p2p.record.pb.PeerRecordProto;
import io.disjoint.p2p.wire.DecodeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libp2p peer record (RFC 0003): a peer's listen addresses with a sequence number that only
 * grows, signed in an {@link Envelope} with domain {@value #DOMAIN} and payload type 0x0301 (as
 * go-libp2p and js-libp2p use). Identify carries it as signedPeerRecord.
 */
public record PeerRecord(PeerId peerId, long seq, List<Multiaddr> addrs) {
  public static final String DOMAIN = "libp2p-peer-record";
  private static final byte[] PAYLOAD_TYPE = {0x03, 0x01};
  public static final int MAX_ADDRS = 64;
  private static final Logger LOG = LoggerFactory.getLogger(PeerRecord.class);

  public PeerRecord {
    Objects.requireNonNull(peerId, "peerId");
    if (seq < 0) {
      throw new IllegalArgumentException("peer record seq is an unsigned 63-bit counter: " + seq);
    }
    addrs = List.copyOf(addrs);
    if (addrs.size() > MAX_ADDRS) {
      throw new IllegalArgumentException("a peer record holds at most " + MAX_ADDRS + " addresses");
    }
  }

  public static byte[] payloadType() {
    return PAYLOAD_TYPE.clone();
  }

  /** The record protobuf (the envelope payload). */
  public byte[] encode() {
    PeerRecordProto.PeerRecord.Builder b = PeerRecordProto.PeerRecord.newBuilder()
        .setPeerId(ByteString.copyFrom(peerId.bytes()))
        .setSeq(seq);
    for (Multiaddr a : addrs) {
      b.addAddresses(PeerRecordProto.PeerRecord.AddressInfo.newBuilder().setMultiaddr(ByteString.copyFrom(a.bytes())));
    }
    return b.build().toByteArray();
  }

  /** Signs this record with the peer's own key; returns the envelope. */
  public Envelope seal(PrivKey key) {
    if (!key.peerId().equals(peerId)) {
      throw new IllegalArgumentException("a peer record must be signed by its own peer's key");
    }
    return Envelope.seal(key, DOMAIN, PAYLOAD_TYPE, encode());
  }

  /** Signs this record and returns the envelope bytes, as Identify's signedPeerRecord carries them. */
  public byte[] sign(PrivKey key) {
    return seal(key).marshal();
  }

  /**
   * Opens and verifies signed envelope bytes holding a peer record.
   *
   * @throws DecodeException (peer fault) if the envelope or record is invalid or signed by another peer
   */
  public static PeerRecord fromSignedEnvelope(byte[] envelopeBytes) {
    return fromEnvelope(Envelope.open(envelopeBytes, DOMAIN));
  }

  /** Extracts the record from an envelope already opened under {@value #DOMAIN}. */
  public static PeerRecord fromEnvelope(Envelope envelope) {
    if (!Arrays.equals(envelope.payloadType(), PAYLOAD_TYPE)) {
      throw new DecodeException("envelope payload type "
          + java.util.HexFormat.of().formatHex(envelope.payloadType()) + " is not a peer record (0301)");
    }
    PeerRecord record = decode(envelope.payload());
    if (!record.peerId.equals(envelope.signer())) {
      throw new DecodeException("peer record for " + record.peerId + " is signed by " + envelope.signer());
    }
    return record;
  }

  /**
   * Parses a record protobuf. Addresses this module cannot parse (protocols it does not know) are
   * skipped rather than failing the record.
   */
  public static PeerRecord decode(byte[] bytes) {
    PeerRecordProto.PeerRecord pb;
    try {
      pb = PeerRecordProto.PeerRecord.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException("malformed peer record: " + e.getMessage(), e);
    }
    PeerId peer = PeerId.fromBytes(pb.getPeerId().toByteArray());
    if (pb.getAddressesCount() > MAX_ADDRS) {
      throw new DecodeException("peer record from " + peer + " lists " + pb.getAddressesCount() + " addresses");
    }
    List<Multiaddr> addrs = new ArrayList<>();
    for (PeerRecordProto.PeerRecord.AddressInfo info : pb.getAddressesList()) {
      try {
        addrs.add(Multiaddr.fromBytes(info.getMultiaddr().toByteArray()));
      } catch (DecodeException e) {
        LOG.debug("skipping an address in the peer record of {}: {}", peer, e.getMessage());
      }
    }
    if (pb.getSeq() < 0) {
      throw new DecodeException("peer record seq above 2^63 from " + peer);
    }
    return new PeerRecord(peer, pb.getSeq(), addrs);
  }
}
