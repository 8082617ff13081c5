package io.disjoint.p2p.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.wire.DecodeException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeysTest {
  private static final HexFormat HEX = HexFormat.of();

  // peer-ids/peer-ids.md "Test vectors": marshalled private and public keys
  static final String ED25519_PRIVATE =
      "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
          + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
  static final String ED25519_PUBLIC =
      "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
  static final String ED25519_PEER_ID = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
  static final String SECP256K1_PRIVATE =
      "0802122053dadf1d5a164d6b4acdb15e24aa4c5b1d3461bdbd42abedb0a4404d56ced8fb";
  static final String SECP256K1_PUBLIC =
      "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99";

  @Test
  void ed25519SpecVectorDerivesPublicKeyAndPeerId() {
    PrivKey priv = PrivKey.unmarshal(HEX.parseHex(ED25519_PRIVATE));
    assertEquals(KeyType.ED25519, priv.type());
    assertEquals(ED25519_PRIVATE, HEX.formatHex(priv.marshal()));
    assertEquals(ED25519_PUBLIC, HEX.formatHex(priv.publicKey().marshal()));
    assertEquals(ED25519_PEER_ID, priv.peerId().toBase58());
    assertEquals(priv.publicKey(), PubKey.unmarshal(HEX.parseHex(ED25519_PUBLIC)));
  }

  @Test
  void secp256k1SpecVectorDerivesPublicKey() {
    PrivKey priv = PrivKey.unmarshal(HEX.parseHex(SECP256K1_PRIVATE));
    assertEquals(KeyType.SECP256K1, priv.type());
    assertEquals(SECP256K1_PRIVATE, HEX.formatHex(priv.marshal()));
    assertEquals(SECP256K1_PUBLIC, HEX.formatHex(priv.publicKey().marshal()));
    assertTrue(priv.peerId().toBase58().startsWith("16Uiu2HAm"), priv.peerId().toBase58());
  }

  @Test
  void ed25519MatchesRfc8032TestVector1() {
    PrivKey priv = Ed25519PrivateKey.fromSeed(
        HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        HEX.formatHex(priv.publicKey().raw()));
    byte[] sig = priv.sign(new byte[0]);
    assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        HEX.formatHex(sig));
    assertTrue(priv.publicKey().verify(new byte[0], sig));
  }

  @Test
  void secp256k1SignsDeterministicallyPerRfc6979() {
    // widely published RFC 6979 secp256k1/SHA-256 vector: key 1, message "Satoshi Nakamoto"
    byte[] one = new byte[32];
    one[31] = 1;
    PrivKey priv = Secp256k1PrivateKey.fromRaw(one);
    byte[] sig = priv.sign("Satoshi Nakamoto".getBytes(StandardCharsets.US_ASCII));
    ASN1Sequence seq = ASN1Sequence.getInstance(sig);
    assertEquals(new BigInteger("934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8", 16),
        ((ASN1Integer) seq.getObjectAt(0)).getValue());
    assertEquals(new BigInteger("2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5", 16),
        ((ASN1Integer) seq.getObjectAt(1)).getValue());
    assertArrayEquals(sig, priv.sign("Satoshi Nakamoto".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void secp256k1RejectsHighSAndNonCanonicalDer() {
    PrivKey priv = PrivKey.generate(KeyType.SECP256K1, new SecureRandom());
    byte[] msg = "hello".getBytes(StandardCharsets.US_ASCII);
    byte[] sig = priv.sign(msg);
    assertTrue(priv.publicKey().verify(msg, sig));
    ASN1Sequence seq = ASN1Sequence.getInstance(sig);
    BigInteger r = ((ASN1Integer) seq.getObjectAt(0)).getValue();
    BigInteger s = ((ASN1Integer) seq.getObjectAt(1)).getValue();
    assertTrue(s.compareTo(Secp256k1Curve.HALF_N) <= 0, "signer produced high S");
    byte[] highS = Secp256k1Curve.encodeDer(r, Secp256k1Curve.DOMAIN.getN().subtract(s));
    assertFalse(priv.publicKey().verify(msg, highS), "high-S signature must be rejected");
    byte[] trailing = java.util.Arrays.copyOf(sig, sig.length + 1);
    assertFalse(priv.publicKey().verify(msg, trailing));
    assertFalse(priv.publicKey().verify(msg, new byte[0]));
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void generatedKeysSignVerifyAndRoundTrip(KeyType type) {
    PrivKey priv = PrivKey.generate(type, new SecureRandom());
    PrivKey again = PrivKey.unmarshal(priv.marshal());
    assertEquals(priv, again);
    assertEquals(priv.hashCode(), again.hashCode());
    assertEquals(priv.publicKey(), PubKey.unmarshal(priv.publicKey().marshal()));
    byte[] msg = "message".getBytes(StandardCharsets.US_ASCII);
    byte[] sig = priv.sign(msg);
    assertTrue(priv.publicKey().verify(msg, sig));
    assertFalse(priv.publicKey().verify("massage".getBytes(StandardCharsets.US_ASCII), sig));
    PrivKey other = PrivKey.generate(type, new SecureRandom());
    assertFalse(other.publicKey().verify(msg, sig));
    assertNotEquals(priv.publicKey(), other.publicKey());
    assertFalse(priv.toString().contains(HEX.formatHex(priv.raw()).substring(0, 16)), "toString leaks key");
  }

  @Test
  void rejectsInvalidKeys() {
    assertThrows(DecodeException.class, () -> PubKey.unmarshal(HEX.parseHex("0800")));
    assertThrows(DecodeException.class, () -> PubKey.unmarshal(HEX.parseHex("08001204deadbeef"))); // RSA
    assertThrows(DecodeException.class, () -> PubKey.unmarshal(HEX.parseHex("0801120401020304")));
    byte[] offCurve = HEX.parseHex("0802122102" + "ff".repeat(32));
    assertThrows(DecodeException.class, () -> PubKey.unmarshal(offCurve));
    assertThrows(DecodeException.class, () -> Secp256k1PrivateKey.fromRaw(new byte[32])); // zero
    byte[] mismatched = HEX.parseHex(ED25519_PRIVATE.substring(8));
    mismatched[40] ^= 1;
    assertThrows(DecodeException.class, () -> Ed25519PrivateKey.fromRaw(mismatched));
  }

  @Property(tries = 200)
  void mutatedSignaturesNeverVerifyNorThrow(@ForAll byte[] message, @ForAll long seed) {
    Random random = new Random(seed);
    for (KeyType type : KeyType.values()) {
      PrivKey priv = type == KeyType.ED25519 ? FIXED_ED : FIXED_SECP;
      byte[] sig = priv.sign(message);
      byte[] mutated = sig.clone();
      int i = random.nextInt(mutated.length);
      mutated[i] ^= (byte) (1 + random.nextInt(255));
      assertFalse(priv.publicKey().verify(message, mutated));
    }
  }

  private static final PrivKey FIXED_ED = PrivKey.unmarshal(HEX.parseHex(ED25519_PRIVATE));
  private static final PrivKey FIXED_SECP = PrivKey.unmarshal(HEX.parseHex(SECP256K1_PRIVATE));
}
