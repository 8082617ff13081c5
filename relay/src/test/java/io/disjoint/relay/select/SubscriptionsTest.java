package io.disjoint.relay.select;

import static io.disjoint.relay.select.RouterFixture.AWS;
import static io.disjoint.relay.select.RouterFixture.GCP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.gateway.SubscriptionSink;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.route.MethodRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** eth_subscribe served by polling the network through the router. */
class SubscriptionsTest {
  /** Records what would go out on each WebSocket session. */
  static final class RecordingSink implements SubscriptionSink {
    final Map<String, List<JsonNode>> sent = new ConcurrentHashMap<>();
    final Map<String, Runnable> onClose = new ConcurrentHashMap<>();
    final java.util.Set<String> open = ConcurrentHashMap.newKeySet();

    @Override
    public boolean send(String session, byte[] json) {
      if (!open.contains(session)) {
        return false;
      }
      try {
        sent.computeIfAbsent(session, s -> new CopyOnWriteArrayList<>()).add(FakeRelayTransport.JSON.readTree(json));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return true;
    }

    @Override
    public boolean isOpen(String session) {
      return open.contains(session);
    }

    @Override
    public void onClose(String session, Runnable listener) {
      onClose.put(session, listener);
    }

    void close(String session) {
      open.remove(session);
      onClose.remove(session).run();
    }
  }

  private final RouterFixture f = new RouterFixture();
  private final RecordingSink sink = new RecordingSink();
  private final AtomicLong head = new AtomicLong(10);
  private DiversityRouter router;

  private DiversityRouter router() {
    f.transport.headNumber = -1; // heads come from the hellos only
    f.peer("a", AWS, 10);
    f.peer("g", GCP, 10);
    for (String p : List.of("a", "g")) {
      f.transport.set(p, f.transport.compute(req -> switch (req.get("method").asText()) {
        case "eth_blockNumber" -> "\"0x" + Long.toHexString(head.get()) + "\"";
        case "eth_getBlockByNumber" -> "{\"number\":\"" + req.get("params").get(0).asText() + "\",\"hash\":\"0x01\",\"transactions\":[],\"size\":\"0x1\"}";
        case "eth_getLogs" -> "[{\"blockNumber\":\"" + req.get("params").get(0).get("fromBlock").asText() + "\",\"address\":\""
            + req.get("params").get(0).path("address").asText() + "\"}]";
        default -> "null";
      }));
    }
    return new DiversityRouter(f.directory, f.transport, GatewayPayment.NONE, f.evidence,
        RouterConfig.builder().hedging(false).build(), f.time, f.time, new Random(5), Runnable::run, Optional.of(sink),
        RouterMetrics.unregistered());
  }

  private String subscribe(String session, String params) {
    MethodRule rule = RouterFixture.rule("eth_subscribe", MethodRule.Routing.STICKY, 1);
    ObjectNode r = router.route(f.request("eth_subscribe", params, rule, Optional.of(session))).join();
    return r.path("result").asText();
  }

  private void tick() {
    f.time.advance(RouterConfig.DEFAULT_SUBSCRIPTION_POLL_INTERVAL);
  }

  @Test
  void newHeadsArePushedAsHeadersForEveryNewBlockAndSurviveAPeerDying() {
    router = router();
    sink.open.add("ws1");
    String id = subscribe("ws1", "[\"newHeads\"]");
    assertTrue(id.startsWith("0x") && id.length() == 34, id);
    tick(); // learns the current head (10), pushes nothing for the past
    assertTrue(sink.sent.getOrDefault("ws1", List.of()).isEmpty());
    head.set(12);
    tick();
    List<JsonNode> notes = sink.sent.get("ws1");
    assertEquals(2, notes.size());
    assertEquals("eth_subscription", notes.get(0).path("method").asText());
    assertEquals(id, notes.get(0).path("params").path("subscription").asText());
    assertEquals("0xb", notes.get(0).path("params").path("result").path("number").asText());
    assertEquals("0xc", notes.get(1).path("params").path("result").path("number").asText());
    assertFalse(notes.get(0).path("params").path("result").has("transactions"), "a header, not a block");

    f.transport.set("a", f.transport.transportFailure());
    f.transport.set("g", f.transport.transportFailure());
    f.peer("h", RouterFixture.HETZNER, 12);
    f.transport.set("h", f.transport.compute(req -> switch (req.get("method").asText()) {
      case "eth_blockNumber" -> "\"0xd\"";
      default -> "{\"number\":\"" + req.get("params").get(0).asText() + "\"}";
    }));
    tick();
    tick();
    assertEquals("0xd", sink.sent.get("ws1").get(2).path("params").path("result").path("number").asText(),
        "the next poll went to a live peer: no re-subscription needed");
  }

  @Test
  void logsSubscriptionQueriesExactlyTheNewBlocksWithItsFilter() {
    router = router();
    sink.open.add("ws1");
    subscribe("ws1", "[\"logs\",{\"address\":\"0xabc\",\"topics\":[\"0x01\"]}]");
    tick();
    head.set(15);
    tick();
    JsonNode logsCall = f.transport.calls.stream().map(FakeRelayTransport.Call::request)
        .filter(r -> r.get("method").asText().equals("eth_getLogs")).findFirst().orElseThrow();
    JsonNode filter = logsCall.get("params").get(0);
    assertEquals("0xb", filter.get("fromBlock").asText());
    assertEquals("0xf", filter.get("toBlock").asText());
    assertEquals("0xabc", filter.get("address").asText());
    assertEquals("0x01", filter.get("topics").get(0).asText());
    assertEquals(1, sink.sent.get("ws1").size());
  }

  @Test
  void unsubscribeAndSessionCloseStopNotifications() {
    router = router();
    sink.open.add("ws1");
    sink.open.add("ws2");
    String id1 = subscribe("ws1", "[\"newHeads\"]");
    subscribe("ws2", "[\"newHeads\"]");
    assertEquals(2, router.activeSubscriptions());
    MethodRule rule = RouterFixture.rule("eth_unsubscribe", MethodRule.Routing.STICKY, 1);
    assertFalse(router.route(f.request("eth_unsubscribe", "[\"" + id1 + "\"]", rule, Optional.of("ws2"))).join()
        .path("result").asBoolean(), "another session cannot cancel it");
    assertTrue(router.route(f.request("eth_unsubscribe", "[\"" + id1 + "\"]", rule, Optional.of("ws1"))).join()
        .path("result").asBoolean());
    sink.close("ws2");
    assertEquals(0, router.activeSubscriptions());
    tick();
    head.set(20);
    tick();
    assertTrue(sink.sent.isEmpty());
    long polls = f.transport.calls.size();
    tick();
    tick();
    assertEquals(polls, f.transport.calls.size(), "no subscribers, no polling");
  }

  @Test
  void unsupportedKindsAndHttpCallersGetClearErrors() {
    router = router();
    sink.open.add("ws1");
    MethodRule rule = RouterFixture.rule("eth_subscribe", MethodRule.Routing.STICKY, 1);
    ObjectNode r = router.route(f.request("eth_subscribe", "[\"newPendingTransactions\"]", rule, Optional.of("ws1"))).join();
    assertEquals(-32602, r.path("error").path("code").asInt());
    ObjectNode http = router.route(f.request("eth_subscribe", "[\"newHeads\"]", rule, Optional.empty())).join();
    assertEquals(-32601, http.path("error").path("code").asInt());
  }
}
