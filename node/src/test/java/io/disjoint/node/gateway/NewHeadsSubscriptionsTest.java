package io.disjoint.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.gateway.SubscriptionSink;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RouteException;
import io.disjoint.relay.route.RouteRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NewHeadsSubscriptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHAIN = "eip155:31337";
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    timers.shutdownNow();
  }

  /** A chain whose head the test moves; answers eth_getBlockByNumber like a node. */
  private static final class Chain {
    final AtomicLong head = new AtomicLong(5);
    final List<String> asked = new CopyOnWriteArrayList<>();

    CompletableFuture<ObjectNode> route(RouteRequest r) {
      if (!r.method().equals("eth_getBlockByNumber")) {
        return CompletableFuture.completedFuture(JSON.createObjectNode().put("result", "passed-through"));
      }
      String tag = r.request().path("params").path(0).asText();
      asked.add(tag);
      long n = tag.equals("latest") ? head.get() : Long.decode(tag);
      ObjectNode resp = JSON.createObjectNode().put("jsonrpc", "2.0");
      resp.putObject("result").put("number", "0x" + Long.toHexString(n)).put("hash", "0xh" + n)
          .putArray("transactions").add("0xtx");
      return CompletableFuture.completedFuture(resp);
    }
  }

  private static final class Sessions implements SubscriptionSink {
    final Map<String, List<JsonNode>> sent = new ConcurrentHashMap<>();
    final Map<String, Runnable> onClose = new ConcurrentHashMap<>();

    @Override
    public boolean send(String session, byte[] json) {
      try {
        sent.computeIfAbsent(session, s -> new CopyOnWriteArrayList<>()).add(JSON.readTree(new String(json, StandardCharsets.UTF_8)));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      return true;
    }

    @Override
    public boolean isOpen(String session) {
      return true;
    }

    @Override
    public void onClose(String session, Runnable listener) {
      onClose.put(session, listener);
    }
  }

  private static RouteRequest request(String method, String params, Optional<String> session) throws Exception {
    ObjectNode req = (ObjectNode) JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}");
    return new RouteRequest(CHAIN, method, req, new MethodRule(method, true, 10, MethodRule.Routing.STICKY, 1),
        Clock.systemUTC().instant().plusSeconds(5), session);
  }

  private static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
    for (int i = 0; i < 500 && !cond.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertTrue(cond.getAsBoolean(), "condition not reached within 5 s");
  }

  @Test
  void pushesEveryNewHeadOnceWithoutTransactionsAndStopsAfterUnsubscribe() throws Exception {
    Chain chain = new Chain();
    Sessions sessions = new Sessions();
    NewHeadsSubscriptions subs = new NewHeadsSubscriptions(chain::route, sessions, timers, Clock.systemUTC(),
        new Random(3), Duration.ofMillis(10));
    String id = subs.route(request("eth_subscribe", "[\"newHeads\"]", Optional.of("ws-1"))).join().get("result").asText();
    assertTrue(id.matches("0x[0-9a-f]{32}"), id);
    await(() -> chain.asked.contains("latest"));
    chain.head.set(6);
    await(() -> sessions.sent.getOrDefault("ws-1", List.of()).size() == 1);
    chain.head.set(9); // three blocks at once: 7 and 8 are fetched by number, 9 is the latest
    await(() -> sessions.sent.get("ws-1").size() == 4);
    List<Long> numbers = sessions.sent.get("ws-1").stream()
        .map(n -> Long.decode(n.path("params").path("result").path("number").asText())).toList();
    assertEquals(List.of(6L, 7L, 8L, 9L), numbers);
    JsonNode first = sessions.sent.get("ws-1").get(0);
    assertEquals("eth_subscription", first.path("method").asText());
    assertEquals(id, first.path("params").path("subscription").asText());
    assertTrue(first.path("params").path("result").path("transactions").isMissingNode(), "headers only");

    assertEquals(false, subs.route(request("eth_unsubscribe", "[\"" + id + "\"]", Optional.of("ws-2"))).join()
        .get("result").asBoolean(), "another session cannot cancel it");
    assertEquals(true, subs.route(request("eth_unsubscribe", "[\"" + id + "\"]", Optional.of("ws-1"))).join()
        .get("result").asBoolean());
    assertEquals(0, subs.size());
    chain.head.set(12);
    Thread.sleep(100);
    assertEquals(4, sessions.sent.get("ws-1").size(), "nothing after unsubscribe");
  }

  @Test
  void aClosedSessionLosesItsSubscriptionsAndOtherKindsAreRefused() throws Exception {
    Chain chain = new Chain();
    Sessions sessions = new Sessions();
    NewHeadsSubscriptions subs = new NewHeadsSubscriptions(chain::route, sessions, timers, Clock.systemUTC(),
        new Random(3), Duration.ofMillis(10));
    subs.route(request("eth_subscribe", "[\"newHeads\"]", Optional.of("ws-1"))).join();
    assertEquals(1, subs.size());
    sessions.onClose.get("ws-1").run();
    assertEquals(0, subs.size());
    CompletableFuture<ObjectNode> logs = subs.route(request("eth_subscribe", "[\"logs\",{}]", Optional.of("ws-1")));
    CompletionException e = assertThrows(CompletionException.class, logs::join);
    assertEquals(-32602, ((RouteException) e.getCause()).code());
    assertEquals("passed-through", subs.route(request("eth_gasPrice", "[]", Optional.empty())).join().get("result").asText(),
        "other methods go to the router");
  }
}
