package io.disjoint.p2p.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.PeerInfo;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.host.HostConfig;
import io.disjoint.p2p.host.Libp2pHost;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Identities other than Ed25519 across implementations: secp256k1 signatures (DER, low-S) in the
 * Noise handshake payload and in the signed peer record must verify on the other side, and peer
 * ids of the 16Uiu2... form must match the dialled address.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JsKeyTypesInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @ParameterizedTest(name = "Java {0} dials js {1}")
  @CsvSource({"SECP256K1, Ed25519", "ED25519, secp256k1", "SECP256K1, secp256k1"})
  void javaDialsJs(KeyType javaKey, String jsKey) throws Exception {
    JsFixture.requireInstalled();
    Libp2pHost host = JavaHosts.newLoopbackHost(javaKey, HostConfig.builder());
    RecordingListener events = new RecordingListener();
    host.setStreamHandler(EchoProtocol.ID, EchoProtocol.responder(new AtomicInteger()));
    host.addListener(events);
    host.start().get(10, TimeUnit.SECONDS);
    try (JsPeerProcess js = JsPeerProcess.listen(Duration.ofSeconds(10), "--key-type", jsKey)) {
      PeerId jsPeer = PeerId.parse(js.peerId());
      String idPrefix = jsKey.equals("secp256k1") ? "16Uiu2HA" : "12D3KooW";
      assertTrue(js.peerId().startsWith(idPrefix), "js peer id " + js.peerId() + " should start with " + idPrefix);
      Connection c = host.dial(js.listenAddr()).get(20, TimeUnit.SECONDS);
      assertEquals(jsPeer, c.remotePeer());
      PeerInfo info = events.awaitIdentified(jsPeer, WAIT);
      assertTrue(info.protocols().contains(EchoProtocol.ID), "Java does not see js's protocols: " + info.protocols());
      JsonNode seenByJs = js.awaitEvent("identify", e -> e.get("peerId").asText().equals(host.peerId().toBase58()), WAIT);
      assertTrue(seenByJs.get("signedPeerRecord").asBoolean(), "js rejected or missed Java's signed peer record: " + seenByJs);

      byte[] payload = ("key types " + javaKey + "/" + jsKey).getBytes(StandardCharsets.UTF_8);
      assertArrayEquals(payload, EchoProtocol.call(host, jsPeer, payload).get(20, TimeUnit.SECONDS));
      JsonNode back = js.command(JsPeerProcess.cmd("echo").put("peer", host.peerId().toBase58()).put("data", "back"), WAIT);
      assertTrue(back.get("ok").asBoolean() && "back".equals(back.get("reply").asText()), "js -> Java echo: " + back);
    } finally {
      host.stop().get(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "js {1} dials Java {0}")
  @CsvSource({"SECP256K1, Ed25519", "ED25519, secp256k1"})
  void jsDialsJava(KeyType javaKey, String jsKey) throws Exception {
    JsFixture.requireInstalled();
    Libp2pHost host = JavaHosts.newLoopbackHost(javaKey, HostConfig.builder());
    RecordingListener events = new RecordingListener();
    host.setStreamHandler(EchoProtocol.ID, EchoProtocol.responder(new AtomicInteger()));
    host.addListener(events);
    host.start().get(10, TimeUnit.SECONDS);
    try (JsPeerProcess js = JsPeerProcess.dial(host.listenAddrs().get(0).withPeerId(host.peerId()), Duration.ofSeconds(10),
        "hello " + javaKey, "--key-type", jsKey)) {
      JsonNode echo = js.awaitEvent("echo", e -> true, WAIT);
      assertTrue(echo.get("match").asBoolean(), "echo: " + echo);
      assertFalse(js.findEvent("dial-failed", e -> true).isPresent());
      PeerInfo info = events.awaitIdentified(PeerId.parse(js.peerId()), WAIT);
      assertEquals(JsInteropTest.JS_AGENT, info.agentVersion());
    } finally {
      host.stop().get(10, TimeUnit.SECONDS);
    }
  }
}
