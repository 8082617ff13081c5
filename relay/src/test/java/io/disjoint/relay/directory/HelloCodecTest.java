package io.disjoint.relay.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.relay.directory.pb.HelloProto;
import io.disjoint.relay.protocol.RelayProtocolException;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Signing and verification of "/disjoint/hello/1.0.0" messages. */
class HelloCodecTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final FailureDomain domain = FailureDomain.parse("provider=aws,region=us-east-1,country=US,operator=op1,asn=4200000000");

  @Test
  void roundTripsForBothKeyTypes() {
    for (KeyType type : KeyType.values()) {
      PrivKey key = PrivKey.generate(type, RANDOM);
      HelloMessage sent = new HelloMessage(1_700_000_000_000L, Map.of("eip155:1", 123L, "eip155:8453", -1L), domain);
      HelloMessage got = HelloCodec.verify(HelloCodec.sign(sent, key), key.peerId());
      assertEquals(sent, got, type.toString());
    }
  }

  @Test
  void unknownDomainValuesTravelAsEmptyAndComeBackUnknown() {
    PrivKey key = PrivKey.generate(KeyType.ED25519, RANDOM);
    HelloMessage got = HelloCodec.verify(HelloCodec.sign(new HelloMessage(5, Map.of(), FailureDomain.UNKNOWN), key), key.peerId());
    assertEquals(FailureDomain.UNKNOWN, got.domain());
  }

  @Test
  void helloFromAnotherKeyThanTheStreamsPeerIsRefused() {
    PrivKey signer = PrivKey.generate(KeyType.ED25519, RANDOM);
    PrivKey streamPeer = PrivKey.generate(KeyType.ED25519, RANDOM);
    byte[] signed = HelloCodec.sign(new HelloMessage(5, Map.of("eip155:1", 1L), domain), signer);
    RelayProtocolException e = assertThrows(RelayProtocolException.class, () -> HelloCodec.verify(signed, streamPeer.peerId()));
    assertTrue(e.getMessage().contains("arrived from"), e.getMessage());
  }

  @Test
  void alteredHelloOrSignatureIsRefused() throws Exception {
    PrivKey key = PrivKey.generate(KeyType.ED25519, RANDOM);
    HelloProto.SignedHello signed = HelloProto.SignedHello.parseFrom(
        HelloCodec.sign(new HelloMessage(5, Map.of("eip155:1", 1L), domain), key));
    // Claim another provider without re-signing.
    HelloProto.Hello hello = HelloProto.Hello.parseFrom(signed.getHello());
    HelloProto.Hello forged = hello.toBuilder().setDomain(hello.getDomain().toBuilder().setProvider("gcp")).build();
    byte[] tampered = signed.toBuilder().setHello(forged.toByteString()).build().toByteArray();
    RelayProtocolException e = assertThrows(RelayProtocolException.class, () -> HelloCodec.verify(tampered, key.peerId()));
    assertTrue(e.getMessage().contains("signature"), e.getMessage());
    assertThrows(RelayProtocolException.class, () -> HelloCodec.verify(new byte[] {(byte) 0xff, 0x01}, key.peerId()));
  }

  @Test
  void invalidFieldsInAProperlySignedHelloAreRefused() throws Exception {
    PrivKey key = PrivKey.generate(KeyType.ED25519, RANDOM);
    HelloProto.Hello twice = HelloProto.Hello.newBuilder().setTimestampUnixMs(5)
        .addChains(HelloProto.ChainHead.newBuilder().setChain("eip155:1"))
        .addChains(HelloProto.ChainHead.newBuilder().setChain("eip155:1")).build();
    byte[] input = concat("disjoint-hello/1:".getBytes(java.nio.charset.StandardCharsets.US_ASCII), twice.toByteArray());
    byte[] signed = HelloProto.SignedHello.newBuilder()
        .setPublicKey(com.google.protobuf.ByteString.copyFrom(key.publicKey().marshal()))
        .setHello(twice.toByteString())
        .setSignature(com.google.protobuf.ByteString.copyFrom(key.sign(input))).build().toByteArray();
    RelayProtocolException e = assertThrows(RelayProtocolException.class, () -> HelloCodec.verify(signed, key.peerId()));
    assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
