package io.disjoint.p2p.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.crypto.PeerId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A js-libp2p peer connected to the Java host and otherwise idle for over 60 s: js-libp2p's
 * connection monitor pings every 10 s and aborts the connection if a ping fails, and Yamux keeps
 * its own session pings; the connection must survive all of it and still carry streams after.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class JsIdleConnectionTest {
  private static final Duration IDLE = Duration.ofSeconds(62);

  @Test
  void connectionSurvivesSixtySecondsIdleWhileJsPingsEveryTenSeconds() throws Exception {
    JsFixture.requireInstalled();
    Host host = JavaHosts.newLoopbackHost();
    RecordingListener events = new RecordingListener();
    AtomicInteger echoServed = new AtomicInteger();
    host.setStreamHandler(EchoProtocol.ID, EchoProtocol.responder(echoServed));
    host.addListener(events);
    host.start().get(10, TimeUnit.SECONDS);
    JsPeerProcess js = null;
    try {
      js = JsPeerProcess.dial(host.listenAddrs().get(0).withPeerId(host.peerId()), Duration.ofSeconds(10), "before idle");
      String javaId = host.peerId().toBase58();
      PeerId jsPeer = PeerId.parse(js.peerId());
      assertTrue(js.awaitEvent("echo", e -> true, Duration.ofSeconds(20)).get("match").asBoolean());
      Connection connection = events.awaitConnected(jsPeer, Duration.ofSeconds(10));
      long openedAtJs = onlyConnection(js, javaId).get("opened").asLong();

      Thread.sleep(IDLE.toMillis());

      List<JsonNode> pings = js.events("ping").stream().filter(e -> "interval".equals(e.get("source").asText())).toList();
      assertTrue(pings.size() >= 5, "expected >= 5 js pings in " + IDLE + ", got " + pings.size() + ": " + pings);
      pings.forEach(p -> assertEquals(javaId, p.get("peerId").asText()));
      assertTrue(js.events("ping-failed").isEmpty(), "js pings failed: " + js.events("ping-failed"));
      assertTrue(js.events("disconnected").isEmpty(), "js saw the connection drop: " + js.events("disconnected"));
      assertTrue(events.disconnected().isEmpty(), "Java saw the connection drop: " + events.disconnected());

      assertTrue(connection.isOpen(), "Java closed the idle connection");
      assertEquals(List.of(connection), List.copyOf(host.connections()), "the original connection must be the only one");
      assertEquals(openedAtJs, onlyConnection(js, javaId).get("opened").asLong(), "js reconnected instead of keeping the connection");

      byte[] payload = JsInteropTest.randomBytes(10_000, 7);
      assertArrayEquals(payload, EchoProtocol.call(connection.newStream(EchoProtocol.ID).get(10, TimeUnit.SECONDS), payload)
          .get(10, TimeUnit.SECONDS));
      JsonNode after = js.command(JsPeerProcess.cmd("echo").put("peer", javaId).put("data", "after idle"), Duration.ofSeconds(10));
      assertTrue(after.get("ok").asBoolean(), "js -> Java echo after idle failed: " + after);
      assertEquals("after idle", after.get("reply").asText());
    } finally {
      if (js != null) {
        js.close();
        assertFalse(js.isAlive(), "js peer still running");
      }
      host.stop().get(10, TimeUnit.SECONDS);
    }
  }

  private static JsonNode onlyConnection(JsPeerProcess js, String javaId) throws Exception {
    JsonNode r = js.command(JsPeerProcess.cmd("connections"), Duration.ofSeconds(10));
    JsonNode conns = r.get("connections");
    assertEquals(1, conns.size(), "js should hold exactly one connection: " + conns);
    assertEquals(javaId, conns.get(0).get("peerId").asText());
    assertEquals("open", conns.get(0).get("status").asText());
    return conns.get(0);
  }
}
