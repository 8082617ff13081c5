package io.disjoint.p2p.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.api.PeerInfo;
import io.disjoint.p2p.crypto.Ed25519PrivateKey;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java host against js-libp2p 3.3.11 (testnet/js/libp2p-peer.mjs) in a real node process over
 * TCP on 127.0.0.1: each side dials the other; Noise, Yamux, Identify, Ping and the
 * length-prefixed {@value EchoProtocol#ID} protocol work in both directions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JsInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  static final String JS_AGENT = "disjoint-js-fixture/0.1.0 js-libp2p/3.3.11";

  private final List<JsPeerProcess> jsPeers = new ArrayList<>();
  private final AtomicInteger echoServed = new AtomicInteger();
  private final RecordingListener events = new RecordingListener();
  private Host host;

  @BeforeEach
  void startJavaHost() throws Exception {
    JsFixture.requireInstalled();
    host = JavaHosts.newLoopbackHost();
    host.setStreamHandler(EchoProtocol.ID, EchoProtocol.responder(echoServed));
    host.addListener(events);
    host.start().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopEverything() throws Exception {
    try {
      jsPeers.forEach(JsPeerProcess::close);
      jsPeers.forEach(p -> assertFalse(p.isAlive(), "js peer still running after close"));
    } finally {
      if (host != null) {
        host.stop().get(10, TimeUnit.SECONDS);
      }
    }
  }

  private Multiaddr javaAddr() {
    return host.listenAddrs().get(0).withPeerId(host.peerId());
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new HashSet<>();
    StreamSupport.stream(array.spliterator(), false).forEach(n -> out.add(n.asText()));
    return out;
  }

  private static void assertJavaProtocolsSeenByJs(JsonNode identify) {
    Set<String> protocols = strings(identify.get("protocols"));
    assertTrue(protocols.contains(EchoProtocol.ID), "js does not see the Java echo handler: " + protocols);
    assertTrue(protocols.contains("/ipfs/id/1.0.0"), "js does not see Identify: " + protocols);
    assertTrue(protocols.contains("/ipfs/ping/1.0.0"), "js does not see Ping: " + protocols);
    assertFalse(identify.get("agentVersion").asText("").isBlank(), "Java agentVersion missing: " + identify);
    assertTrue(identify.get("signedPeerRecord").asBoolean(), "js did not get a signed peer record from Java: " + identify);
  }

  private void assertJsProtocolsSeenByJava(PeerInfo info, PeerId jsPeer) {
    assertEquals(jsPeer, info.peerId());
    assertTrue(info.protocols().containsAll(Set.of(EchoProtocol.ID, "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0")),
        "Java does not see js's protocols: " + info.protocols());
    assertEquals(JS_AGENT, info.agentVersion());
    assertFalse(info.listenAddrs().isEmpty(), "js listen addrs missing from identify");
    assertTrue(host.peerStore().protocols(jsPeer).contains(EchoProtocol.ID), "peer store lacks js's protocols");
  }

  @Test
  void jsDialsJavaAndBothSidesIdentifyPingAndEcho() throws Exception {
    JsPeerProcess js = JsPeerProcess.dial(javaAddr(), Duration.ofSeconds(10), "hello from js");
    jsPeers.add(js);
    PeerId jsPeer = PeerId.parse(js.peerId());
    String javaId = host.peerId().toBase58();

    JsonNode connected = js.awaitEvent("connected", e -> e.get("peerId").asText().equals(javaId), WAIT);
    assertEquals("/noise", connected.get("encryption").asText());
    assertEquals("/yamux/1.0.0", connected.get("multiplexer").asText());
    assertJavaProtocolsSeenByJs(js.awaitEvent("identify", e -> e.get("peerId").asText().equals(javaId), WAIT));

    JsonNode ping = js.awaitEvent("ping", e -> "dial".equals(e.get("source").asText()), WAIT);
    assertTrue(ping.get("rtt").asDouble() >= 0, "bad rtt " + ping);
    JsonNode echo = js.awaitEvent("echo", e -> true, WAIT);
    assertTrue(echo.get("match").asBoolean(), "Java echo answered differently: " + echo);
    assertEquals("hello from js", echo.get("reply").asText());
    assertTrue(echoServed.get() >= 1, "Java echo handler never ran");

    Connection inbound = events.awaitConnected(jsPeer, WAIT);
    assertFalse(inbound.isInitiator(), "js dialled, so the Java side must not be the initiator");
    assertJsProtocolsSeenByJava(events.awaitIdentified(jsPeer, WAIT), jsPeer);

    // Java -> js over the connection js opened
    byte[] payload = randomBytes(64 * 1024, 1);
    assertArrayEquals(payload, EchoProtocol.call(host, jsPeer, payload).get(20, TimeUnit.SECONDS));
    Duration rtt = PingProbe.ping(host, jsPeer).get(20, TimeUnit.SECONDS);
    assertTrue(rtt.toMillis() < 5_000, "ping too slow: " + rtt);
    js.awaitEvent("echo-served", e -> e.get("bytes").asInt() == payload.length, WAIT);

    JsonNode jsPing = js.command(JsPeerProcess.cmd("ping").put("peer", javaId), WAIT);
    assertTrue(jsPing.get("ok").asBoolean(), "js -> Java ping failed: " + jsPing);
    JsonNode jsBigEcho = js.command(JsPeerProcess.cmd("echo").put("peer", javaId).put("size", 1 << 20), WAIT);
    assertTrue(jsBigEcho.get("ok").asBoolean() && jsBigEcho.get("match").asBoolean(), "1 MiB js -> Java echo failed: " + jsBigEcho);

    assertEquals(1, host.connections().stream().filter(c -> c.remotePeer().equals(jsPeer)).count(),
        "everything should have run on the one connection js opened");
    assertTrue(js.events("disconnected").isEmpty(), "js saw a disconnect: " + js.events("disconnected"));
  }

  @Test
  void javaDialsJsAndBothSidesIdentifyPingAndEcho() throws Exception {
    JsPeerProcess js = JsPeerProcess.listen(Duration.ofSeconds(10));
    jsPeers.add(js);
    PeerId jsPeer = PeerId.parse(js.peerId());
    String javaId = host.peerId().toBase58();

    Connection c = host.dial(js.listenAddr()).get(20, TimeUnit.SECONDS);
    assertEquals(jsPeer, c.remotePeer());
    assertTrue(c.isInitiator());
    assertTrue(c.remotePublicKey() != null && jsPeer.matches(c.remotePublicKey()), "remote key does not match the js peer id");
    JsonNode connected = js.awaitEvent("connected", e -> e.get("peerId").asText().equals(javaId), WAIT);
    assertEquals("inbound", connected.get("direction").asText());

    assertJsProtocolsSeenByJava(events.awaitIdentified(jsPeer, WAIT), jsPeer);
    assertJavaProtocolsSeenByJs(js.awaitEvent("identify", e -> e.get("peerId").asText().equals(javaId), WAIT));

    byte[] small = "hello from java".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(small, EchoProtocol.call(host, jsPeer, small).get(20, TimeUnit.SECONDS));
    byte[] large = randomBytes(3 * 1024 * 1024, 2); // beyond the 256 KiB Yamux window: needs window updates
    assertArrayEquals(large, EchoProtocol.call(host, jsPeer, large).get(30, TimeUnit.SECONDS));
    assertTrue(PingProbe.ping(host, jsPeer).get(20, TimeUnit.SECONDS).toMillis() < 5_000);

    JsonNode jsEcho = js.command(JsPeerProcess.cmd("echo").put("peer", javaId).put("data", "hello from js"), WAIT);
    assertTrue(jsEcho.get("ok").asBoolean(), "js -> Java echo failed: " + jsEcho);
    assertEquals("hello from js", jsEcho.get("reply").asText());
    JsonNode jsPing = js.command(JsPeerProcess.cmd("ping").put("peer", javaId), WAIT);
    assertTrue(jsPing.get("ok").asBoolean(), "js -> Java ping failed: " + jsPing);
    JsonNode jsView = js.command(JsPeerProcess.cmd("peer").put("peer", javaId), WAIT);
    assertTrue(strings(jsView.get("protocols")).contains(EchoProtocol.ID), "js peer store lacks Java's echo: " + jsView);
  }

  @Test
  void manyConcurrentEchoStreamsBothWaysOnOneConnection() throws Exception {
    JsPeerProcess js = JsPeerProcess.listen(Duration.ofSeconds(10));
    jsPeers.add(js);
    PeerId jsPeer = PeerId.parse(js.peerId());
    Connection c = host.dial(js.listenAddr()).get(20, TimeUnit.SECONDS);

    List<byte[]> payloads = new ArrayList<>();
    List<CompletableFuture<byte[]>> replies = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] p = randomBytes(1 + i * 997, 100 + i);
      payloads.add(p);
      replies.add(c.newStream(EchoProtocol.ID).thenCompose(s -> EchoProtocol.call(s, p)));
    }
    for (int i = 0; i < payloads.size(); i++) {
      assertArrayEquals(payloads.get(i), replies.get(i).get(30, TimeUnit.SECONDS), "stream " + i);
    }

    String javaId = host.peerId().toBase58();
    List<JsonNode> jsResults = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      jsResults.add(js.command(JsPeerProcess.cmd("echo").put("peer", javaId).put("size", 4096 + i), WAIT));
    }
    jsResults.forEach(r -> assertTrue(r.get("ok").asBoolean() && r.get("match").asBoolean(), "js -> Java echo: " + r));
    assertEquals(1, host.connections().size(), "expected one connection, got " + host.connections());
  }

  @Test
  void identifyPushAnnouncesLateProtocolsBothWays() throws Exception {
    JsPeerProcess js = JsPeerProcess.listen(Duration.ofSeconds(10));
    jsPeers.add(js);
    PeerId jsPeer = PeerId.parse(js.peerId());
    String javaId = host.peerId().toBase58();
    host.dial(js.listenAddr()).get(20, TimeUnit.SECONDS);
    events.awaitIdentified(jsPeer, WAIT);
    js.awaitEvent("identify", e -> e.get("peerId").asText().equals(javaId), WAIT);

    String javaLate = "/disjoint/java-late/1.0.0";
    host.setStreamHandler(javaLate, EchoProtocol.responder(echoServed));
    awaitTrue(() -> jsSeesProtocol(js, javaId, javaLate), "js never learned " + javaLate + " from a Java Identify Push");

    String jsLate = "/disjoint/js-late/1.0.0";
    JsonNode handled = js.command(JsPeerProcess.cmd("handle").put("protocol", jsLate), WAIT);
    assertTrue(handled.get("ok").asBoolean(), "js handle failed: " + handled);
    awaitTrue(() -> host.peerStore().protocols(jsPeer).contains(jsLate), "Java never learned " + jsLate + " from a js Identify Push");
    byte[] payload = "over a pushed protocol".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(payload, host.newStream(jsPeer, jsLate).thenCompose(s -> EchoProtocol.call(s, payload)).get(20, TimeUnit.SECONDS));

    host.removeStreamHandler(javaLate);
    awaitTrue(() -> !jsSeesProtocol(js, javaId, javaLate), "js still lists " + javaLate + " after Java removed it");
  }

  private static boolean jsSeesProtocol(JsPeerProcess js, String peer, String protocol) throws Exception {
    JsonNode view = js.command(JsPeerProcess.cmd("peer").put("peer", peer), WAIT);
    return view.get("ok").asBoolean() && strings(view.get("protocols")).contains(protocol);
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(Condition condition, String failure) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(failure + " within " + WAIT);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void closingOnEitherSideIsSeenByTheOther() throws Exception {
    JsPeerProcess js = JsPeerProcess.listen(Duration.ofSeconds(10));
    jsPeers.add(js);
    PeerId jsPeer = PeerId.parse(js.peerId());
    String javaId = host.peerId().toBase58();

    Connection first = host.dial(js.listenAddr()).get(20, TimeUnit.SECONDS);
    events.awaitIdentified(jsPeer, WAIT);
    JsonNode hangup = js.command(JsPeerProcess.cmd("hangup").put("peer", javaId), WAIT);
    assertTrue(hangup.get("ok").asBoolean(), "js hangup failed: " + hangup);
    events.awaitDisconnected(first, WAIT);
    assertFalse(first.isOpen(), "Java still reports the connection js closed as open");
    assertTrue(host.connections().stream().noneMatch(c -> c == first), "closed connection still listed");

    Connection second = host.dial(js.listenAddr()).get(20, TimeUnit.SECONDS);
    js.awaitEvent("connected", e -> e.get("peerId").asText().equals(javaId), WAIT);
    int disconnectsBefore = js.events("disconnected").size();
    second.close().get(10, TimeUnit.SECONDS);
    js.awaitEvent("disconnected", e -> js.events("disconnected").size() > disconnectsBefore, WAIT);
    JsonNode left = js.command(JsPeerProcess.cmd("connections"), WAIT);
    assertEquals(0, left.get("connections").size(), "js still holds a connection Java closed: " + left);
  }

  @Test
  void dialingJsUnderTheWrongPeerIdFails() throws Exception {
    JsPeerProcess js = JsPeerProcess.listen(Duration.ofSeconds(10));
    jsPeers.add(js);
    PeerId someoneElse = PeerId.fromPublicKey(Ed25519PrivateKey.generate(new SecureRandom()).publicKey());
    Multiaddr wrong = js.listenAddr().withoutPeerId().withPeerId(someoneElse);
    ExecutionException e = assertThrows(ExecutionException.class, () -> host.dial(wrong).get(20, TimeUnit.SECONDS));
    String why = String.valueOf(e.getCause().getMessage());
    assertFalse(why.isBlank() || why.equals("null"), "the failure should say why: " + e.getCause());
    assertTrue(host.connections().stream().noneMatch(c -> c.remotePeer().toBase58().equals(js.peerId())),
        "a connection to the wrong identity must not stay open");
  }

  static byte[] randomBytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
