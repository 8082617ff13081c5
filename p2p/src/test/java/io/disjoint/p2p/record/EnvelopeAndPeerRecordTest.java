package io.disjoint.p2p.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.multiaddr.Multiaddr;
import io.disjoint.p2p.wire.DecodeException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EnvelopeAndPeerRecordTest {
  private static final HexFormat HEX = HexFormat.of();
  // the Ed25519 key from the peer-ids spec test vectors
  private static final PrivKey SPEC_KEY = PrivKey.unmarshal(HEX.parseHex(
      "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
          + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));

  @Test
  void envelopeHasTheRfcFieldLayoutAndAnIndependentlyVerifiableSignature() {
    byte[] type = {0x03, 0x01};
    byte[] payload = "hello".getBytes(StandardCharsets.US_ASCII);
    byte[] bytes = Envelope.seal(SPEC_KEY, "libp2p-peer-record", type, payload).marshal();
    byte[] pub = SPEC_KEY.publicKey().marshal();
    byte[] sig = SPEC_KEY.sign(concat(new byte[] {18}, "libp2p-peer-record".getBytes(StandardCharsets.UTF_8),
        new byte[] {2}, type, new byte[] {5}, payload));
    // public_key=1, payload_type=2, payload=3, signature=5, all length-delimited, in field order
    byte[] expected = concat(new byte[] {0x0a, (byte) pub.length}, pub, new byte[] {0x12, 2}, type,
        new byte[] {0x1a, 5}, payload, new byte[] {0x2a, 64}, sig);
    assertEquals(HEX.formatHex(expected), HEX.formatHex(bytes));

    // verify with Bouncy Castle directly over the RFC 0002 signing buffer
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, new Ed25519PublicKeyParameters(SPEC_KEY.publicKey().raw(), 0));
    byte[] signed = Envelope.signedBytes("libp2p-peer-record", type, payload);
    verifier.update(signed, 0, signed.length);
    assertTrue(verifier.verifySignature(sig));
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void peerRecordRoundTripsThroughASignedEnvelope(KeyType type) {
    PrivKey key = PrivKey.generate(type, new SecureRandom());
    List<Multiaddr> addrs = List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001"), Multiaddr.parse("/ip6/::1/tcp/4002"),
        Multiaddr.parse("/dns4/node.example/tcp/443/wss"));
    PeerRecord record = new PeerRecord(key.peerId(), 1_700_000_000_000_000_000L, addrs);
    byte[] signed = record.sign(key);
    PeerRecord back = PeerRecord.fromSignedEnvelope(signed);
    assertEquals(record, back);
    Envelope envelope = Envelope.open(signed, PeerRecord.DOMAIN);
    assertEquals(key.publicKey(), envelope.publicKey());
    assertArrayEquals(new byte[] {3, 1}, envelope.payloadType());
    assertArrayEquals(signed, envelope.marshal());
  }

  @Test
  void rejectsWrongDomainTamperingForeignSignerAndWrongType() {
    PrivKey key = PrivKey.generate(KeyType.ED25519, new SecureRandom());
    PeerRecord record = new PeerRecord(key.peerId(), 5, List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/1")));
    byte[] signed = record.sign(key);
    DecodeException wrongDomain = assertThrows(DecodeException.class, () -> Envelope.open(signed, "disjoint-advert"));
    assertTrue(wrongDomain.getMessage().contains("invalid signature"), wrongDomain.getMessage());

    byte[] tampered = signed.clone();
    tampered[tampered.length - 70] ^= 1; // inside the payload
    assertThrows(DecodeException.class, () -> PeerRecord.fromSignedEnvelope(tampered));

    PrivKey other = PrivKey.generate(KeyType.ED25519, new SecureRandom());
    Envelope foreign = Envelope.seal(other, PeerRecord.DOMAIN, PeerRecord.payloadType(), record.encode());
    DecodeException e = assertThrows(DecodeException.class, () -> PeerRecord.fromEnvelope(foreign));
    assertTrue(e.getMessage().contains("is signed by " + other.peerId()), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> record.seal(other));

    Envelope wrongType = Envelope.seal(key, PeerRecord.DOMAIN, new byte[] {1}, record.encode());
    assertThrows(DecodeException.class, () -> PeerRecord.fromEnvelope(wrongType));
    assertThrows(DecodeException.class, () -> Envelope.open(new byte[Envelope.MAX_BYTES + 1], PeerRecord.DOMAIN));
  }

  @Test
  void skipsAddressesWithUnknownProtocols() {
    PrivKey key = PrivKey.generate(KeyType.ED25519, new SecureRandom());
    // AddressInfo with protocol code 0x01bc (unknown here) next to a TCP address
    byte[] good = Multiaddr.parse("/ip4/1.2.3.4/tcp/5").bytes();
    byte[] unknown = {(byte) 0xbc, 0x03};
    byte[] peer = key.peerId().bytes();
    byte[] recordBytes = concat(new byte[] {0x0a, (byte) peer.length}, peer, new byte[] {0x10, 7},
        new byte[] {0x1a, (byte) (unknown.length + 2), 0x0a, (byte) unknown.length}, unknown,
        new byte[] {0x1a, (byte) (good.length + 2), 0x0a, (byte) good.length}, good);
    PeerRecord parsed = PeerRecord.fromEnvelope(Envelope.seal(key, PeerRecord.DOMAIN, PeerRecord.payloadType(), recordBytes));
    assertEquals(7, parsed.seq());
    assertEquals(List.of(Multiaddr.parse("/ip4/1.2.3.4/tcp/5")), parsed.addrs());
  }

  @Property(tries = 200)
  void mutatedEnvelopesNeverOpen(@ForAll long seed) {
    Random random = new Random(seed);
    PeerRecord record = new PeerRecord(SPEC_KEY.peerId(), random.nextLong() & Long.MAX_VALUE,
        List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + random.nextInt(65536))));
    byte[] signed = record.sign(SPEC_KEY);
    signed[random.nextInt(signed.length)] ^= (byte) (1 + random.nextInt(255));
    try {
      PeerRecord.fromSignedEnvelope(signed);
      throw new AssertionError("a mutated envelope opened");
    } catch (DecodeException expected) {
      assertFalse(expected.getMessage().isEmpty());
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
