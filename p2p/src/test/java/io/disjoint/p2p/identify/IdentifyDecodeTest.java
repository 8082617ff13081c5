package io.disjoint.p2p.identify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.disjoint.p2p.P2pException.Fault;
import io.disjoint.p2p.api.PeerInfo;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.multiaddr.Multiaddr;
import io.disjoint.p2p.record.PeerRecord;
import io.disjoint.p2p.wire.Uvarint;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentifyDecodeTest {
  private final SecureRandom random = new SecureRandom();
  private final PrivKey remote = PrivKey.generate(KeyType.ED25519, random);
  private final Multiaddr addr = Multiaddr.parse("/ip4/127.0.0.1/tcp/4321");

  private IdentifyProto.Identify.Builder valid() {
    return IdentifyProto.Identify.newBuilder()
        .setProtocolVersion("ipfs/0.1.0")
        .setAgentVersion("js-libp2p/3.3.11")
        .setPublicKey(ByteString.copyFrom(remote.publicKey().marshal()))
        .addListenAddrs(ByteString.copyFrom(addr.bytes()))
        .addProtocols("/ipfs/ping/1.0.0")
        .addProtocols("/ipfs/id/1.0.0")
        .setSignedPeerRecord(ByteString.copyFrom(new PeerRecord(remote.peerId(), 1, List.of(addr)).sign(remote)));
  }

  private static byte[] lp(byte[]... messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] m : messages) {
      out.writeBytes(Uvarint.encode(m.length));
      out.writeBytes(m);
    }
    return out.toByteArray();
  }

  @Test
  void decodesAValidMessage() {
    PeerInfo info = IdentifyService.decode(lp(valid().build().toByteArray()), remote.peerId());
    assertEquals(remote.peerId(), info.peerId());
    assertEquals(Set.of("/ipfs/ping/1.0.0", "/ipfs/id/1.0.0"), info.protocols());
    assertEquals(List.of(addr), info.listenAddrs());
    assertEquals("js-libp2p/3.3.11", info.agentVersion());
  }

  @Test
  void mergesSeveralMessages() {
    byte[] first = IdentifyProto.Identify.newBuilder().addProtocols("/a/1").build().toByteArray();
    byte[] second = IdentifyProto.Identify.newBuilder().addProtocols("/b/1").setAgentVersion("x").build().toByteArray();
    PeerInfo info = IdentifyService.decode(lp(first, second), remote.peerId());
    assertEquals(Set.of("/a/1", "/b/1"), info.protocols());
    assertEquals("x", info.agentVersion());
  }

  @Test
  void rejectsAPublicKeyOfAnotherPeer() {
    PrivKey other = PrivKey.generate(KeyType.ED25519, random);
    byte[] msg = valid().setPublicKey(ByteString.copyFrom(other.publicKey().marshal())).build().toByteArray();
    IdentifyException e = assertThrows(IdentifyException.class, () -> IdentifyService.decode(lp(msg), remote.peerId()));
    assertEquals(Fault.PEER, e.fault());
  }

  @Test
  void rejectsARecordSignedForAnotherPeer() {
    PrivKey other = PrivKey.generate(KeyType.ED25519, random);
    byte[] foreign = new PeerRecord(other.peerId(), 1, List.of(addr)).sign(other);
    byte[] msg = valid().setSignedPeerRecord(ByteString.copyFrom(foreign)).build().toByteArray();
    assertThrows(IdentifyException.class, () -> IdentifyService.decode(lp(msg), remote.peerId()));
  }

  @Test
  void rejectsATamperedRecord() {
    byte[] record = new PeerRecord(remote.peerId(), 1, List.of(addr)).sign(remote);
    record[record.length - 1] ^= 1;
    byte[] msg = valid().setSignedPeerRecord(ByteString.copyFrom(record)).build().toByteArray();
    assertThrows(IdentifyException.class, () -> IdentifyService.decode(lp(msg), remote.peerId()));
  }

  @Test
  void rejectsOversizedTruncatedAndEmptyInput() {
    byte[] big = new byte[IdentifyService.MAX_MESSAGE_BYTES + 1];
    assertThrows(IdentifyException.class, () -> IdentifyService.decode(lp(big), remote.peerId()));
    byte[] valid = lp(valid().build().toByteArray());
    byte[] cut = java.util.Arrays.copyOf(valid, valid.length - 3);
    assertThrows(IdentifyException.class, () -> IdentifyService.decode(cut, remote.peerId()));
    assertThrows(IdentifyException.class, () -> IdentifyService.decode(new byte[0], remote.peerId()));
  }

  @Test
  void skipsUnparseableListenAddresses() {
    byte[] msg = valid().addListenAddrs(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x7f, 1})).build().toByteArray();
    PeerInfo info = IdentifyService.decode(lp(msg), remote.peerId());
    assertEquals(List.of(addr), info.listenAddrs());
    assertTrue(info.protocols().contains("/ipfs/id/1.0.0"));
  }
}
