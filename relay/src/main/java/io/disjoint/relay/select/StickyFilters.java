package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.route.RouteRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Filters live on one upstream, so their requests must stick to the peer that created them. The
 * client gets a gateway-issued filter id (peers may hand out colliding ids); the gateway keeps
 * which peer holds the real filter and under which id. When that peer dies (or lost the filter)
 * the filter is installed again on a peer in another failure domain from the request that
 * created it, and the client's id keeps working.
 */
final class StickyFilters {
  static final Set<String> CREATE = Set.of("eth_newFilter", "eth_newBlockFilter", "eth_newPendingTransactionFilter");
  static final Set<String> USE = Set.of("eth_getFilterChanges", "eth_getFilterLogs", "eth_uninstallFilter");

  private final RouterContext ctx;
  private final Random random;
  private final Map<String, Binding> bindings;

  /** Where a client's filter really lives. */
  private record Binding(String chain, String peer, String upstreamId, byte[] creation, int computeUnits, Instant lastUsed) {
    Binding touched(Instant now) {
      return new Binding(chain, peer, upstreamId, creation, computeUnits, now);
    }
  }

  StickyFilters(RouterContext ctx, Random random) {
    this.ctx = ctx;
    this.random = random;
    int max = ctx.config().maxFilters();
    this.bindings = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Binding> eldest) {
        return size() > max;
      }
    };
  }

  static boolean handles(String method) {
    return CREATE.contains(method) || USE.contains(method);
  }

  synchronized int size() {
    return bindings.size();
  }

  CompletableFuture<ObjectNode> route(RouteRequest r) {
    byte[] payload = bytes(r.request());
    if (CREATE.contains(r.method())) {
      return install(r.chain(), payload, r.deadline(), r.rule().computeUnits(), Set.of()).thenApply(installed -> {
        if (installed.binding.isEmpty()) {
          return installed.response;
        }
        String clientId = "0x" + HexFormat.of().formatHex(randomBytes());
        synchronized (this) {
          bindings.put(clientId, installed.binding.get());
        }
        ObjectNode response = installed.response.deepCopy();
        response.put("result", clientId);
        return response;
      });
    }
    String clientId = r.request().path("params").path(0).asText("");
    Binding binding;
    synchronized (this) {
      binding = bindings.get(clientId);
      if (binding != null && binding.lastUsed.plus(ctx.config().filterIdleTimeout()).isBefore(ctx.clock().instant())) {
        bindings.remove(clientId);
        binding = null;
      }
    }
    if (binding == null || !binding.chain.equals(r.chain())) {
      return CompletableFuture.completedFuture(filterNotFound(r.request()));
    }
    return use(r, clientId, binding, true);
  }

  private CompletableFuture<ObjectNode> use(RouteRequest r, String clientId, Binding binding, boolean mayReinstall) {
    Instant now = ctx.clock().instant();
    synchronized (this) {
      bindings.put(clientId, binding.touched(now));
    }
    ObjectNode rewritten = r.request().deepCopy();
    rewritten.withArray("params").set(0, rewritten.textNode(binding.upstreamId));
    Optional<Candidate> peer = ctx.selector().candidates(r.chain()).stream()
        .filter(c -> c.peerId().equals(binding.peer) && !c.tripped()).findFirst();
    CompletableFuture<Attempt> sent = peer.isPresent()
        ? ctx.caller().call(peer.get(), r.chain(), bytes(rewritten), r.deadline(), r.rule().computeUnits())
        : CompletableFuture.completedFuture(null);
    return sent.thenCompose(a -> {
      boolean lost = a == null || a.outcome() == Outcome.RETRYABLE || filterMissing(a);
      if (!lost) {
        if (r.method().equals("eth_uninstallFilter")) {
          forget(clientId);
        }
        return CompletableFuture.completedFuture(a.responseOrThrow());
      }
      if (r.method().equals("eth_uninstallFilter")) {
        // The filter died with its peer; uninstalling it everywhere is already true.
        forget(clientId);
        ObjectNode ok = ctx.json().createObjectNode().put("jsonrpc", "2.0");
        ok.set("id", r.request().get("id"));
        ok.put("result", true);
        return CompletableFuture.completedFuture(ok);
      }
      if (!mayReinstall) {
        return CompletableFuture.failedFuture(RouteErrors.exhausted(2, a == null ? "peer gone" : a.failure()));
      }
      return install(binding.chain, binding.creation, r.deadline(), binding.computeUnits, Set.of(binding.peer))
          .thenCompose(installed -> {
            if (installed.binding.isEmpty()) {
              return CompletableFuture.completedFuture(installed.response);
            }
            return use(r, clientId, installed.binding.get(), false);
          });
    });
  }

  private record Installed(ObjectNode response, Optional<Binding> binding) {}

  private CompletableFuture<Installed> install(String chain, byte[] creation, Instant deadline, int cu, Set<String> excluded) {
    // Not hedged: a hedge would leave an orphan filter on the slower peer.
    return FailoverCall.run(ctx, chain, creation, deadline, cu, false, Optional.empty(), excluded).thenApply(a -> {
      JsonNode id = a.responseOrThrow().get("result");
      if (a.outcome() != Outcome.RESULT || id == null || !id.isTextual()) {
        return new Installed(a.responseOrThrow(), Optional.empty());
      }
      return new Installed(a.responseOrThrow(),
          Optional.of(new Binding(chain, a.candidate().peerId(), id.asText(), creation, cu, ctx.clock().instant())));
    });
  }

  private synchronized void forget(String clientId) {
    bindings.remove(clientId);
  }

  private static boolean filterMissing(Attempt a) {
    return a.outcome() == Outcome.DETERMINISTIC_ERROR
        && a.responseOrThrow().path("error").path("message").asText("").toLowerCase(java.util.Locale.ROOT).contains("filter not found");
  }

  private ObjectNode filterNotFound(ObjectNode request) {
    ObjectNode out = ctx.json().createObjectNode().put("jsonrpc", "2.0");
    out.set("id", request.get("id"));
    out.putObject("error").put("code", -32000).put("message", "filter not found");
    return out;
  }

  private byte[] randomBytes() {
    byte[] b = new byte[16];
    synchronized (random) {
      random.nextBytes(b);
    }
    return b;
  }

  private byte[] bytes(JsonNode node) {
    try {
      return ctx.json().writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
