package io.disjoint.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RouteRequest;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JSON-RPC over WebSocket on the gateway's port, sessions and subscription pushes. */
class GatewayWebSocketTest {
  private GatewayFixture gateway;

  @BeforeEach
  void start() throws Exception {
    gateway = new GatewayFixture();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  /** Collects whole text messages and the close status. */
  static class Client implements WebSocket.Listener {
    final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }

    JsonNode call(String json) throws Exception {
      socket.sendText(json, true).get(5, TimeUnit.SECONDS);
      return next();
    }

    JsonNode next() throws Exception {
      String message = messages.poll(5, TimeUnit.SECONDS);
      assertTrue(message != null, "no message within 5 s");
      return JsonRpcMapper.SHARED.readTree(message);
    }
  }

  private Client connect(String path) throws Exception {
    Client client = new Client();
    client.socket =
        gateway.http
            .newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + path), client)
            .get(5, TimeUnit.SECONDS);
    return client;
  }

  @Test
  void callsAndBatchesOverWebSocket() throws Exception {
    Client client = connect("/eth");
    JsonNode single = client.call("{\"jsonrpc\":\"2.0\",\"id\":\"x1\",\"method\":\"eth_blockNumber\"}");
    assertEquals("x1", single.get("id").asText());
    assertEquals("0x10", single.get("result").asText());

    JsonNode batch = client.call("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"debug_traceCall\"}]");
    assertEquals("0x7a69", batch.get(0).get("result").asText());
    assertEquals(-32601, batch.get(1).get("error").get("code").asInt());

    JsonNode parse = client.call("{not json");
    assertEquals(-32700, parse.get("error").get("code").asInt());
    client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
  }

  @Test
  void subscribeIsStickyWithTheSessionAndNotificationsReachTheClient() throws Exception {
    Client client = connect("/" + GatewayFixture.CHAIN);
    JsonNode subscribed = client.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}");
    String session = subscribed.get("result").get("session").asText();
    assertTrue(session.startsWith("ws-"), subscribed.toString());

    RouteRequest routed = gateway.router.received.getFirst();
    assertEquals(MethodRule.Routing.STICKY, routed.rule().routing());
    assertEquals(session, routed.session().orElseThrow());
    assertTrue(gateway.sessions.isOpen(session));

    byte[] notification = ("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":"
        + "{\"subscription\":\"0xabc\",\"result\":{\"number\":\"0x11\"}}}").getBytes(StandardCharsets.UTF_8);
    assertTrue(gateway.sessions.send(session, notification));
    JsonNode pushed = client.next();
    assertEquals("0xabc", pushed.get("params").get("subscription").asText());
    assertEquals("0x11", pushed.get("params").get("result").get("number").asText());

    CountDownLatch unsubscribed = new CountDownLatch(1);
    gateway.sessions.onClose(session, unsubscribed::countDown);
    client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    assertTrue(unsubscribed.await(5, TimeUnit.SECONDS), "close listener ran");
    assertFalse(gateway.sessions.isOpen(session));
    assertFalse(gateway.sessions.send(session, notification), "a closed session takes no pushes");

    CountDownLatch late = new CountDownLatch(1);
    gateway.sessions.onClose(session, late::countDown);
    assertEquals(0, late.getCount(), "a listener for a closed session runs at once");
  }

  @Test
  void eachConnectionIsItsOwnSession() throws Exception {
    Client a = connect("/eth");
    Client b = connect("/eth");
    String sa = a.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_newFilter\",\"params\":[{}]}").get("result").get("session").asText();
    String sb = b.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_newFilter\",\"params\":[{}]}").get("result").get("session").asText();
    assertFalse(sa.equals(sb));
    assertEquals(2, gateway.sessions.size());
  }

  @Test
  void binaryMessagesCloseWithUnsupportedData() throws Exception {
    Client client = connect("/eth");
    client.socket.sendBinary(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)), true).get(5, TimeUnit.SECONDS);
    assertEquals(1003, client.closed.get(5, TimeUnit.SECONDS));
  }

  @Test
  void upgradeOnAnUnknownChainIsRefused() {
    Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> connect("/eip155:5"));
    assertTrue(failure.getMessage() != null);
  }

  @Test
  void aSubscriberThatDoesNotReadIsClosedInsteadOfBufferedWithoutBound() throws Exception {
    try (GatewayFixture small = new GatewayFixture(GatewayFixture.defaults().webSocketOutboundLimitBytes(1024 * 1024).build())) {
      Client idle = new Client() {
        @Override
        public void onOpen(WebSocket webSocket) {
          // never asks for a message: the client reads nothing
        }
      };
      idle.socket = small.http.newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + small.port() + "/eth"), idle).get(5, TimeUnit.SECONDS);
      idle.socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}", true).get(5, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (small.router.received.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      String session = small.router.received.getFirst().session().orElseThrow();
      byte[] note = ("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x1\",\"result\":\""
          + "f".repeat(256 * 1024) + "\"}}").getBytes(StandardCharsets.UTF_8);
      int accepted = 0;
      while (small.sessions.send(session, note)) {
        accepted++;
        assertTrue(accepted < 2_000, "the gateway kept queueing for a client that reads nothing");
        Thread.sleep(1);
      }
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (small.sessions.isOpen(session) && System.nanoTime() < waitUntil) {
        Thread.sleep(10);
      }
      assertFalse(small.sessions.isOpen(session), "the slow session was closed after " + accepted + " pushes");
      assertTrue(accepted >= 4, "pushes were accepted until the outbound limit, " + accepted);
      idle.socket.abort();
    }
  }
}
