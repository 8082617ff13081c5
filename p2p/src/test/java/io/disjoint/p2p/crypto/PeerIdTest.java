package io.disjoint.p2p.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.wire.DecodeException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PeerIdTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void ed25519PeerIdIsIdentityMultihashOfSpecVector() {
    PeerId id = PeerId.parse(KeysTest.ED25519_PEER_ID);
    assertEquals("0024" + KeysTest.ED25519_PUBLIC, HEX.formatHex(id.bytes()));
    assertEquals(KeysTest.ED25519_PEER_ID, id.toString());
    PubKey key = id.extractPublicKey().orElseThrow();
    assertEquals(KeysTest.ED25519_PUBLIC, HEX.formatHex(key.marshal()));
    assertTrue(id.matches(key));
  }

  @Test
  void cidFormParsesToTheSamePeerId() {
    // peer-ids.md: the example sha2-256 id and its CIDv1 form
    PeerId legacy = PeerId.parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
    PeerId cid = PeerId.parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
    assertEquals(legacy, cid);
    assertEquals("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe", legacy.toCid());
    assertTrue(legacy.extractPublicKey().isEmpty());
    PeerId ed = PeerId.parse(KeysTest.ED25519_PEER_ID);
    assertEquals(ed, PeerId.parse(ed.toCid()));
  }

  @Test
  void secp256k1IdsStartWith16Uiu2() {
    PrivKey key = PrivKey.generate(KeyType.SECP256K1, new SecureRandom());
    assertTrue(key.peerId().toBase58().startsWith("16Uiu2HA"), key.peerId().toBase58());
    assertEquals(key.peerId(), PeerId.fromBytes(key.peerId().bytes()));
    assertEquals(key.publicKey(), key.peerId().extractPublicKey().orElseThrow());
    PrivKey ed = PrivKey.generate(KeyType.ED25519, new SecureRandom());
    assertTrue(ed.peerId().toBase58().startsWith("12D3KooW"));
  }

  @Test
  void rejectsMalformedIds() {
    assertThrows(DecodeException.class, () -> PeerId.parse(""));
    assertThrows(DecodeException.class, () -> PeerId.parse("12D3KooW0"));
    assertThrows(DecodeException.class, () -> PeerId.parse("1".repeat(129)));
    assertThrows(DecodeException.class, () -> PeerId.fromBytes(HEX.parseHex("1220aabb")));
    assertThrows(DecodeException.class, () -> PeerId.fromBytes(HEX.parseHex("1310" + "00".repeat(16))));
    byte[] trailing = HEX.parseHex("0024" + KeysTest.ED25519_PUBLIC + "00");
    assertThrows(DecodeException.class, () -> PeerId.fromBytes(trailing));
    // CID with the wrong codec (dag-pb 0x70)
    PeerId ed = PeerId.parse(KeysTest.ED25519_PEER_ID);
    byte[] cid = new byte[2 + ed.bytes().length];
    cid[0] = 1;
    cid[1] = 0x70;
    System.arraycopy(ed.bytes(), 0, cid, 2, ed.bytes().length);
    String wrongCodec = "b" + io.disjoint.p2p.wire.Base32.encode(cid);
    DecodeException e = assertThrows(DecodeException.class, () -> PeerId.parse(wrongCodec));
    assertTrue(e.getMessage().contains("libp2p-key"), e.getMessage());
  }

  @Test
  void ordersByUnsignedBytesAndComparesByValue() {
    PeerId a = PeerId.fromBytes(HEX.parseHex("1220" + "00".repeat(32)));
    PeerId b = PeerId.fromBytes(HEX.parseHex("1220" + "ff".repeat(32)));
    assertTrue(a.compareTo(b) < 0);
    assertEquals(0, a.compareTo(PeerId.fromBytes(a.bytes())));
    assertEquals(a.hashCode(), PeerId.fromBytes(a.bytes()).hashCode());
    assertFalse(a.equals(b));
    byte[] copy = a.bytes();
    copy[5] = 9;
    assertArrayEquals(HEX.parseHex("1220" + "00".repeat(32)), a.bytes(), "bytes() must be a copy");
  }
}
