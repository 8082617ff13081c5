package io.disjoint.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.gateway.SubscriptionSink;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RequestRouter;
import io.disjoint.relay.route.RouteException;
import io.disjoint.relay.route.RouteRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code eth_subscribe("newHeads")} over the gateway's WebSocket, served by the gateway itself:
 * while any session is subscribed to a chain, it asks the network for new blocks (through the
 * diversity router, so a dead peer or domain is routed around like any read) and pushes each new
 * header to every subscribed session as an {@code eth_subscription} notification. The relay
 * protocol is request/response, so upstream subscriptions cannot be carried to the client; this
 * gives dApps the same notifications without pinning them to one serving node. Other
 * subscription types are refused with a clear error; every other method goes to the router.
 */
public final class NewHeadsSubscriptions implements RequestRouter {
  private static final Logger LOG = LoggerFactory.getLogger(NewHeadsSubscriptions.class);
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);
  /** Blocks fetched per tick at most when the head jumped; older ones are skipped. */
  static final int MAX_BLOCKS_PER_TICK = 16;
  private static final MethodRule HEADER_READ =
      new MethodRule("eth_getBlockByNumber", true, 20, MethodRule.Routing.ANY, 1);

  private record Subscription(String id, String session, String chain) {}

  private final RequestRouter inner;
  private final SubscriptionSink sink;
  private final ScheduledExecutorService timers;
  private final Clock clock;
  private final Random random;
  private final Duration pollInterval;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final Map<String, ChainPoller> pollers = new ConcurrentHashMap<>();

  public NewHeadsSubscriptions(RequestRouter inner, SubscriptionSink sink, ScheduledExecutorService timers,
      Clock clock, Random random, Duration pollInterval) {
    this.inner = inner;
    this.sink = sink;
    this.timers = timers;
    this.clock = clock;
    this.random = random;
    this.pollInterval = pollInterval;
  }

  @Override
  public CompletableFuture<ObjectNode> route(RouteRequest r) {
    try {
      return switch (r.method()) {
        case "eth_subscribe" -> CompletableFuture.completedFuture(subscribe(r));
        case "eth_unsubscribe" -> CompletableFuture.completedFuture(unsubscribe(r));
        default -> inner.route(r);
      };
    } catch (RouteException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private ObjectNode subscribe(RouteRequest r) {
    JsonNode params = r.request().path("params");
    String kind = params.path(0).asText("");
    if (!"newHeads".equals(kind)) {
      throw new RouteException(-32602, "this gateway supports eth_subscribe(\"newHeads\") only, not \"" + kind + "\"");
    }
    String session = r.session().orElseThrow(() -> new RouteException(-32601, "eth_subscribe needs a WebSocket"));
    byte[] idBytes = new byte[16];
    synchronized (random) {
      random.nextBytes(idBytes);
    }
    String id = "0x" + HexFormat.of().formatHex(idBytes);
    subscriptions.put(id, new Subscription(id, session, r.chain()));
    sink.onClose(session, () -> subscriptions.values().removeIf(s -> s.session().equals(session)));
    pollers.computeIfAbsent(r.chain(), ChainPoller::new).ensureRunning();
    return result(json.getNodeFactory().textNode(id));
  }

  private ObjectNode unsubscribe(RouteRequest r) {
    String id = r.request().path("params").path(0).asText("");
    Subscription s = subscriptions.get(id);
    boolean removed = s != null && r.session().map(s.session()::equals).orElse(false)
        && subscriptions.remove(id, s);
    return result(json.getNodeFactory().booleanNode(removed));
  }

  private ObjectNode result(JsonNode value) {
    ObjectNode o = json.createObjectNode().put("jsonrpc", "2.0");
    o.set("result", value);
    return o;
  }

  /** Number of live subscriptions (for tests and metrics). */
  public int size() {
    return subscriptions.size();
  }

  /** Follows one chain's head through the router while anyone is subscribed to it. */
  private final class ChainPoller {
    private final String chain;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile ScheduledFuture<?> task;
    private long lastNumber = -1;

    ChainPoller(String chain) {
      this.chain = chain;
    }

    synchronized void ensureRunning() {
      if (task == null || task.isDone()) {
        lastNumber = -1;
        task = timers.scheduleWithFixedDelay(this::tick, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
      }
    }

    private List<Subscription> subscribers() {
      return subscriptions.values().stream().filter(s -> s.chain().equals(chain)).toList();
    }

    private void tick() {
      if (subscribers().isEmpty()) {
        synchronized (this) {
          if (subscribers().isEmpty() && task != null) {
            task.cancel(false);
            task = null;
          }
        }
        return;
      }
      if (!busy.compareAndSet(false, true)) {
        return;
      }
      block("latest").thenCompose(latest -> {
        long n = number(latest);
        if (lastNumber < 0) {
          lastNumber = n; // subscribers see heads after they subscribed, as with a node
          return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> chainDone = CompletableFuture.completedFuture(null);
        long from = Math.max(lastNumber + 1, n - MAX_BLOCKS_PER_TICK + 1);
        for (long k = from; k < n; k++) {
          String tag = "0x" + Long.toHexString(k);
          chainDone = chainDone.thenCompose(v -> block(tag).thenAccept(this::publish));
        }
        return chainDone.thenRun(() -> {
          if (n > lastNumber) {
            publish(latest);
          }
        });
      }).whenComplete((v, e) -> {
        if (e != null) {
          LOG.debug("newHeads poll on {} failed: {}", chain, e.toString());
        }
        busy.set(false);
      });
    }

    private void publish(JsonNode block) {
      long n = number(block);
      if (n <= lastNumber) {
        return;
      }
      lastNumber = n;
      if (block instanceof ObjectNode header) {
        header.remove("transactions");
      }
      for (Subscription s : subscribers()) {
        ObjectNode note = json.createObjectNode().put("jsonrpc", "2.0").put("method", "eth_subscription");
        ObjectNode params = note.putObject("params").put("subscription", s.id());
        params.set("result", block);
        if (!sink.send(s.session(), note.toString().getBytes(StandardCharsets.UTF_8))) {
          subscriptions.remove(s.id());
        }
      }
    }

    private CompletableFuture<JsonNode> block(String tag) {
      ObjectNode req = json.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", "eth_getBlockByNumber");
      req.putArray("params").add(tag).add(false);
      return inner.route(new RouteRequest(chain, "eth_getBlockByNumber", req, HEADER_READ,
              clock.instant().plusSeconds(5), Optional.empty()))
          .thenApply(resp -> {
            JsonNode block = resp.get("result");
            if (block == null || !block.isObject()) {
              throw new RouteException(-32000, "no block " + tag + ": " + resp);
            }
            return block;
          });
    }

    private long number(JsonNode block) {
      return Long.decode(block.path("number").asText("-1"));
    }
  }
}
