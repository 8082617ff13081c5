package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.gateway.SubscriptionSink;
import io.disjoint.relay.route.RouteRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * eth_subscribe for "newHeads" and "logs", served by the gateway itself: per chain with
 * subscribers, it polls the network (through the same failover router) for the head every
 * {@code subscriptionPollInterval}, then fetches each new block header and the matching logs and
 * pushes eth_subscription notifications to the WebSocket session. Because every poll is an
 * ordinary routed request, a subscription survives the death of any peer or whole failure domain:
 * the next poll simply goes elsewhere (this is how "re-subscribe on another peer" is realised).
 */
final class PolledSubscriptions {
  private static final Logger log = LoggerFactory.getLogger(PolledSubscriptions.class);
  private static final Set<String> HEADER_ONLY_DROPS = Set.of("transactions", "uncles", "size", "totalDifficulty");
  private static final Duration POLL_DEADLINE = Duration.ofSeconds(10);

  private record Subscription(String id, String session, String chain, String kind, ObjectNode filter) {}

  private final RouterContext ctx;
  private final SubscriptionSink sink;
  private final Random random;
  private final Map<String, Subscription> byId = new ConcurrentHashMap<>();
  private final Map<String, Long> lastHead = new ConcurrentHashMap<>();
  private final Set<String> pollingChains = ConcurrentHashMap.newKeySet();
  private final Set<String> watchedSessions = ConcurrentHashMap.newKeySet();

  PolledSubscriptions(RouterContext ctx, SubscriptionSink sink, Random random) {
    this.ctx = ctx;
    this.sink = sink;
    this.random = random;
  }

  int active() {
    return byId.size();
  }

  CompletableFuture<ObjectNode> subscribe(RouteRequest r) {
    if (r.session().isEmpty() || !sink.isOpen(r.session().get())) {
      return CompletableFuture.completedFuture(error(r, -32601, "eth_subscribe needs a WebSocket connection"));
    }
    String kind = r.request().path("params").path(0).asText("");
    if (!kind.equals("newHeads") && !kind.equals("logs")) {
      return CompletableFuture.completedFuture(error(r, -32602, "unsupported subscription type '" + kind + "' (newHeads, logs)"));
    }
    JsonNode filterParam = r.request().path("params").path(1);
    ObjectNode filter = ctx.json().createObjectNode();
    if (filterParam.isObject()) {
      if (filterParam.has("address")) {
        filter.set("address", filterParam.get("address"));
      }
      if (filterParam.has("topics")) {
        filter.set("topics", filterParam.get("topics"));
      }
    }
    String session = r.session().get();
    byte[] raw = new byte[16];
    synchronized (random) {
      random.nextBytes(raw);
    }
    String id = "0x" + HexFormat.of().formatHex(raw);
    byId.put(id, new Subscription(id, session, r.chain(), kind, filter));
    if (watchedSessions.add(session)) {
      sink.onClose(session, () -> dropSession(session));
    }
    if (pollingChains.add(r.chain())) {
      schedulePoll(r.chain());
    }
    ObjectNode ok = ctx.json().createObjectNode().put("jsonrpc", "2.0");
    ok.set("id", r.request().get("id"));
    ok.put("result", id);
    return CompletableFuture.completedFuture(ok);
  }

  CompletableFuture<ObjectNode> unsubscribe(RouteRequest r) {
    String id = r.request().path("params").path(0).asText("");
    Subscription s = byId.get(id);
    boolean removed = s != null && r.session().map(s.session()::equals).orElse(false) && byId.remove(id) != null;
    ObjectNode ok = ctx.json().createObjectNode().put("jsonrpc", "2.0");
    ok.set("id", r.request().get("id"));
    ok.put("result", removed);
    return CompletableFuture.completedFuture(ok);
  }

  private void dropSession(String session) {
    byId.values().removeIf(s -> s.session().equals(session));
    watchedSessions.remove(session);
  }

  private void schedulePoll(String chain) {
    ctx.scheduler().schedule(ctx.config().subscriptionPollInterval(), () -> poll(chain));
  }

  private List<Subscription> subscribers(String chain) {
    return byId.values().stream().filter(s -> s.chain().equals(chain)).toList();
  }

  private void poll(String chain) {
    if (subscribers(chain).isEmpty()) {
      pollingChains.remove(chain);
      lastHead.remove(chain);
      // A subscriber may have arrived between the check and the removal.
      if (!subscribers(chain).isEmpty() && pollingChains.add(chain)) {
        schedulePoll(chain);
      }
      return;
    }
    call(chain, "eth_blockNumber", "[]")
        .thenCompose(response -> {
          long head = quantity(response.path("result"));
          Long last = lastHead.get(chain);
          if (head < 0 || last == null) {
            if (head >= 0) {
              lastHead.put(chain, head);
            }
            return CompletableFuture.completedFuture(null);
          }
          if (head <= last) {
            return CompletableFuture.completedFuture(null);
          }
          long to = Math.min(head, last + ctx.config().subscriptionMaxBlocksPerPoll());
          return deliver(chain, last + 1, to).thenRun(() -> lastHead.put(chain, to));
        })
        .whenComplete((v, e) -> {
          if (e != null) {
            log.debug("subscription poll on {} failed: {}", chain, e.toString());
          }
          schedulePoll(chain);
        });
  }

  private CompletableFuture<Void> deliver(String chain, long from, long to) {
    CompletableFuture<Void> chainOfBlocks = CompletableFuture.completedFuture(null);
    List<Subscription> subs = subscribers(chain);
    if (subs.stream().anyMatch(s -> s.kind().equals("newHeads"))) {
      for (long n = from; n <= to; n++) {
        String block = "0x" + Long.toHexString(n);
        chainOfBlocks = chainOfBlocks.thenCompose(v -> call(chain, "eth_getBlockByNumber", "[\"" + block + "\",false]")
            .thenAccept(response -> {
              JsonNode header = response.path("result");
              if (header.isObject()) {
                ObjectNode h = ((ObjectNode) header).deepCopy();
                h.remove(HEADER_ONLY_DROPS);
                subscribers(chain).stream().filter(s -> s.kind().equals("newHeads")).forEach(s -> push(s, h));
              }
            }));
      }
    }
    for (Subscription s : subs) {
      if (!s.kind().equals("logs")) {
        continue;
      }
      ObjectNode filter = s.filter().deepCopy();
      filter.put("fromBlock", "0x" + Long.toHexString(from));
      filter.put("toBlock", "0x" + Long.toHexString(to));
      chainOfBlocks = chainOfBlocks.thenCompose(v -> call(chain, "eth_getLogs", "[" + filter + "]")
          .thenAccept(response -> response.path("result").forEach(logEntry -> push(s, logEntry))));
    }
    return chainOfBlocks;
  }

  private void push(Subscription s, JsonNode result) {
    if (!byId.containsKey(s.id())) {
      return;
    }
    ObjectNode note = ctx.json().createObjectNode().put("jsonrpc", "2.0").put("method", "eth_subscription");
    ObjectNode params = note.putObject("params");
    params.put("subscription", s.id());
    params.set("result", result);
    try {
      if (!sink.send(s.session(), ctx.json().writeValueAsBytes(note))) {
        dropSession(s.session());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CompletableFuture<ObjectNode> call(String chain, String method, String params) {
    byte[] payload = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Instant deadline = ctx.clock().instant().plus(POLL_DEADLINE);
    return FailoverCall.run(ctx, chain, payload, deadline, 0, true, Optional.empty(), Set.of())
        .thenApply(Attempt::responseOrThrow);
  }

  private static long quantity(JsonNode n) {
    String s = n.asText("");
    if (!s.startsWith("0x") || s.length() < 3 || s.length() > 18) {
      return -1;
    }
    try {
      return Long.parseUnsignedLong(s.substring(2), 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private ObjectNode error(RouteRequest r, int code, String message) {
    ObjectNode out = ctx.json().createObjectNode().put("jsonrpc", "2.0");
    out.set("id", r.request().get("id"));
    out.putObject("error").put("code", code).put("message", message);
    return out;
  }
}
