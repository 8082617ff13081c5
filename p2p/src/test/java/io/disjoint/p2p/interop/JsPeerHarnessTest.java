package io.disjoint.p2p.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Checks the fixture and the harness the Java interop tests rely on, with js-libp2p on both ends:
 * if this fails, a failure in {@link JsInteropTest} is not evidence against the Java host.
 */
class JsPeerHarnessTest {
  private final List<JsPeerProcess> peers = new ArrayList<>();

  @AfterEach
  void stopPeers() {
    peers.forEach(JsPeerProcess::close);
    peers.forEach(p -> assertFalse(p.isAlive(), "js peer still running after close"));
  }

  @Test
  void twoJsPeersConnectIdentifyPingAndEcho() throws Exception {
    JsPeerProcess listener = JsPeerProcess.listen(Duration.ofSeconds(10));
    peers.add(listener);
    JsPeerProcess dialer = JsPeerProcess.dial(listener.listenAddr(), Duration.ofSeconds(10), "harness check");
    peers.add(dialer);

    JsonNode echo = dialer.awaitEvent("echo", e -> true, Duration.ofSeconds(20));
    assertTrue(echo.get("match").asBoolean(), "echo reply differs: " + echo);
    assertEquals("harness check", echo.get("reply").asText());
    JsonNode identify = dialer.awaitEvent("identify", e -> e.get("peerId").asText().equals(listener.peerId()), Duration.ofSeconds(10));
    assertTrue(identify.get("protocols").toString().contains(EchoProtocol.ID), "listener does not list echo: " + identify);
    assertTrue(dialer.findEvent("ping", e -> "dial".equals(e.get("source").asText())).isPresent(), "no ping result");
    listener.awaitEvent("echo-served", e -> e.get("peerId").asText().equals(dialer.peerId()), Duration.ofSeconds(5));

    JsonNode big = listener.command(JsPeerProcess.cmd("echo").put("peer", dialer.peerId()).put("size", 1 << 20), Duration.ofSeconds(20));
    assertTrue(big.get("ok").asBoolean(), "1 MiB echo failed: " + big);
    assertTrue(big.get("match").asBoolean());
    assertEquals(1 << 20, big.get("bytes").asInt());

    JsonNode bad = listener.command(JsPeerProcess.cmd("nonsense"), Duration.ofSeconds(5));
    assertFalse(bad.get("ok").asBoolean(), "unknown commands must be refused");
  }
}
