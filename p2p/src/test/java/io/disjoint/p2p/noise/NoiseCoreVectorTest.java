package io.disjoint.p2p.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Noise core against the published cacophony vector for Noise_XX_25519_ChaChaPoly_SHA256. */
class NoiseCoreVectorTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void reproducesCacophonyVectorBothWays() throws IOException {
    String json = resource("/noise/cacophony-XX_25519_ChaChaPoly_SHA256.json");
    assertEquals(HandshakeState.PROTOCOL_NAME, field(json, "name"));
    byte[] prologue = HEX.parseHex(field(json, "init_prologue"));
    X25519.KeyPair32 initStatic = X25519.fromPrivate(HEX.parseHex(field(json, "init_static")));
    X25519.KeyPair32 initEphemeral = X25519.fromPrivate(HEX.parseHex(field(json, "init_ephemeral")));
    X25519.KeyPair32 respStatic = X25519.fromPrivate(HEX.parseHex(field(json, "resp_static")));
    X25519.KeyPair32 respEphemeral = X25519.fromPrivate(HEX.parseHex(field(json, "resp_ephemeral")));
    List<String[]> messages = messages(json);
    assertEquals(6, messages.size());

    HandshakeState initiator = new HandshakeState(true, prologue, initStatic, () -> initEphemeral);
    HandshakeState responder = new HandshakeState(false, prologue, respStatic, () -> respEphemeral);
    for (int i = 0; i < 3; i++) {
      byte[] payload = HEX.parseHex(messages.get(i)[0]);
      HandshakeState writer = i % 2 == 0 ? initiator : responder;
      HandshakeState reader = i % 2 == 0 ? responder : initiator;
      byte[] ciphertext = writer.writeMessage(payload);
      assertEquals(messages.get(i)[1], HEX.formatHex(ciphertext), "handshake message " + i);
      assertArrayEquals(payload, reader.readMessage(ciphertext));
    }
    assertTrue(initiator.isComplete() && responder.isComplete());
    assertArrayEquals(initiator.handshakeHash(), responder.handshakeHash());
    assertArrayEquals(respStatic.publicKey(), initiator.remoteStaticKey());
    assertArrayEquals(initStatic.publicKey(), responder.remoteStaticKey());

    CipherState[] init = initiator.split();
    CipherState[] resp = responder.split();
    // after the handshake, cacophony's messages keep alternating: responder, initiator, responder
    for (int i = 3; i < 6; i++) {
      byte[] payload = HEX.parseHex(messages.get(i)[0]);
      CipherState send = i % 2 == 0 ? init[0] : resp[0];
      CipherState receive = i % 2 == 0 ? resp[1] : init[1];
      byte[] ciphertext = send.encryptWithAd(new byte[0], payload);
      assertEquals(messages.get(i)[1], HEX.formatHex(ciphertext), "transport message " + i);
      assertArrayEquals(payload, receive.decryptWithAd(new byte[0], ciphertext));
    }
  }

  @Test
  void tamperedHandshakeMessageFailsAsPeerFault() {
    X25519.KeyPair32 a = X25519.generate(new java.security.SecureRandom());
    X25519.KeyPair32 b = X25519.generate(new java.security.SecureRandom());
    java.security.SecureRandom rnd = new java.security.SecureRandom();
    HandshakeState initiator = new HandshakeState(true, new byte[0], a, () -> X25519.generate(rnd));
    HandshakeState responder = new HandshakeState(false, new byte[0], b, () -> X25519.generate(rnd));
    responder.readMessage(initiator.writeMessage(new byte[0]));
    byte[] msg2 = responder.writeMessage("payload".getBytes(StandardCharsets.US_ASCII));
    msg2[40] ^= 1;
    NoiseException e = assertThrows(NoiseException.class, () -> initiator.readMessage(msg2));
    assertEquals(NoiseException.Fault.PEER, e.fault());
    assertThrows(NoiseException.class, () -> new HandshakeState(false, new byte[0], b, () -> X25519.generate(rnd)).readMessage(new byte[31]));
  }

  @Test
  void x25519MatchesRfc7748AndRejectsLowOrderPoints() {
    X25519.KeyPair32 alice = X25519.fromPrivate(HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    X25519.KeyPair32 bob = X25519.fromPrivate(HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", HEX.formatHex(alice.publicKey()));
    assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", HEX.formatHex(bob.publicKey()));
    String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assertEquals(shared, HEX.formatHex(X25519.agree(alice.privateKey(), bob.publicKey())));
    assertEquals(shared, HEX.formatHex(X25519.agree(bob.privateKey(), alice.publicKey())));
    NoiseException e = assertThrows(NoiseException.class, () -> X25519.agree(alice.privateKey(), new byte[32]));
    assertEquals(NoiseException.Fault.PEER, e.fault());
  }

  @Test
  void nonceExhaustionRefusesToEncrypt() {
    CipherState cs = new CipherState();
    cs.initializeKey(new byte[32]);
    cs.setNonce(-2L);
    cs.encryptWithAd(new byte[0], new byte[1]); // uses 2^64-2
    assertThrows(NoiseException.class, () -> cs.encryptWithAd(new byte[0], new byte[1]));
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = NoiseCoreVectorTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new AssertionError("missing field " + name);
    }
    return m.group(1);
  }

  private static List<String[]> messages(String json) {
    Matcher m = Pattern.compile("\"payload\"\\s*:\\s*\"([0-9a-f]*)\"\\s*,\\s*\"ciphertext\"\\s*:\\s*\"([0-9a-f]*)\"").matcher(json);
    List<String[]> out = new ArrayList<>();
    while (m.find()) {
      out.add(new String[] {m.group(1), m.group(2)});
    }
    return out;
  }
}
