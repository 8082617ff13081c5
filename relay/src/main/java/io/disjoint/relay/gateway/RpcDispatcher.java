package io.disjoint.relay.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.jsonrpc.JsonRpcError;
import io.disjoint.relay.jsonrpc.JsonRpcRequestParser;
import io.disjoint.relay.jsonrpc.JsonRpcResponseWriter;
import io.disjoint.relay.jsonrpc.ParsedBody;
import io.disjoint.relay.jsonrpc.RpcEntry;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RequestRouter;
import io.disjoint.relay.route.RouteException;
import io.disjoint.relay.route.RouteRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-independent JSON-RPC path: parse, validate, apply the method table, answer LOCAL
 * methods, route the rest concurrently, and reassemble the answers in client order with the
 * client's ids. Everything per request runs on the connection's event loop (no locks); router
 * completions hop back onto it.
 */
final class RpcDispatcher {
  private static final Logger log = LoggerFactory.getLogger(RpcDispatcher.class);

  /** Receives the finished answer on the connection's event loop. */
  interface Reply {
    /** The response body; ownership of {@code json} passes to the callee. */
    void send(ByteBuf json);

    /** Only notifications were sent: nothing to answer. */
    void nothing();
  }

  private final JsonRpcRequestParser parser;
  private final JsonRpcResponseWriter writer = new JsonRpcResponseWriter();
  private final RequestRouter router;
  private final Clock clock;
  private final Duration requestTimeout;
  private final long maxResponseBytes;
  private final GatewayMetrics metrics;

  RpcDispatcher(GatewayConfig config, RequestRouter router, Clock clock, GatewayMetrics metrics) {
    this.metrics = metrics;
    this.parser = new JsonRpcRequestParser(config.maxBatchSize(), config.maxNestingDepth());
    this.router = router;
    this.clock = clock;
    this.requestTimeout = config.requestTimeout();
    this.maxResponseBytes = config.maxResponseBytes();
  }

  /** Handles one body. Must be called on {@code loop}; {@code reply} is called once, on it. */
  void dispatch(
      ChainEndpoint chain,
      byte[] body,
      Optional<String> session,
      EventExecutor loop,
      ByteBufAllocator alloc,
      Reply reply) {
    long started = System.nanoTime();
    ParsedBody parsed = parser.parse(body);
    switch (parsed) {
      case ParsedBody.Rejected rejected -> {
        reply.send(rejectedBody(alloc, rejected));
        metrics.body(transport(session), "rejected", Duration.ofNanos(System.nanoTime() - started));
      }
      case ParsedBody.Single single ->
          new Exchange(chain, new RpcEntry[] {single.entry()}, false, session, loop, alloc, reply, started)
              .start();
      case ParsedBody.Batch batch ->
          new Exchange(
                  chain, batch.entries().toArray(RpcEntry[]::new), true, session, loop, alloc, reply, started)
              .start();
    }
  }

  /** A complete error response (id null) for failures outside JSON-RPC parsing (HTTP errors). */
  ByteBuf errorBody(ByteBufAllocator alloc, JsonRpcError error) {
    ByteBuf buf = alloc.buffer(128);
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      writer.writeError(out, "null", error);
    } catch (IOException e) {
      buf.release();
      throw new IllegalStateException("writing to a ByteBuf cannot fail", e);
    }
    return buf;
  }

  private ByteBuf rejectedBody(ByteBufAllocator alloc, ParsedBody.Rejected rejected) {
    ByteBuf buf = alloc.buffer(128);
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      if (rejected.asArray()) {
        out.write('[');
      }
      writer.writeError(out, rejected.rawId(), rejected.error());
      if (rejected.asArray()) {
        out.write(']');
      }
    } catch (IOException e) {
      buf.release();
      throw new IllegalStateException("writing to a ByteBuf cannot fail", e);
    }
    return buf;
  }

  /** What became of one entry. */
  private sealed interface Outcome {
    record Silent() implements Outcome {}

    record Routed(ObjectNode response) implements Outcome {}

    record Local(JsonNode result) implements Outcome {}

    record Failed(JsonRpcError error, GatewayMetrics.Outcome kind) implements Outcome {}
  }

  private static final Outcome SILENT = new Outcome.Silent();

  /** One body in flight: state confined to the connection's event loop. */
  private final class Exchange {
    private final ChainEndpoint chain;
    private final RpcEntry[] entries;
    private final boolean batch;
    private final Optional<String> session;
    private final EventExecutor loop;
    private final ByteBufAllocator alloc;
    private final Reply reply;
    private final Outcome[] outcomes;
    private final CompletableFuture<?>[] routed;
    private int pending;
    private boolean starting = true;
    private boolean finished;
    private ScheduledFuture<?> timer;
    private final long started;

    Exchange(
        ChainEndpoint chain,
        RpcEntry[] entries,
        boolean batch,
        Optional<String> session,
        EventExecutor loop,
        ByteBufAllocator alloc,
        Reply reply,
        long started) {
      this.started = started;
      this.chain = chain;
      this.entries = entries;
      this.batch = batch;
      this.session = session;
      this.loop = loop;
      this.alloc = alloc;
      this.reply = reply;
      this.outcomes = new Outcome[entries.length];
      this.routed = new CompletableFuture<?>[entries.length];
    }

    void start() {
      Instant deadline = clock.instant().plus(requestTimeout);
      for (int i = 0; i < entries.length; i++) {
        switch (entries[i]) {
          case RpcEntry.Invalid invalid ->
              outcomes[i] = new Outcome.Failed(invalid.error(), GatewayMetrics.Outcome.INVALID);
          case RpcEntry.Call call -> startCall(i, call, deadline);
        }
      }
      starting = false;
      if (pending == 0) {
        finish();
      } else {
        timer = loop.schedule(this::timeOut, requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    private void startCall(int index, RpcEntry.Call call, Instant deadline) {
      MethodRule rule = chain.methods().rule(call.method());
      Outcome immediate = null;
      if (!rule.allowed()) {
        immediate = new Outcome.Failed(notAllowed(call.method()), GatewayMetrics.Outcome.DENIED);
      } else if (rule.routing() == MethodRule.Routing.LOCAL) {
        immediate =
            switch (chain.answerLocally(call.method(), Optional.ofNullable(call.request().get("params")))) {
              case ChainEndpoint.LocalAnswer.Result r -> new Outcome.Local(r.value());
              case ChainEndpoint.LocalAnswer.Error e ->
                  new Outcome.Failed(e.error(), GatewayMetrics.Outcome.RPC_ERROR);
            };
      } else if (session.isEmpty() && needsWebSocket(call.method())) {
        immediate =
            new Outcome.Failed(
                new JsonRpcError(
                    JsonRpcError.METHOD_NOT_FOUND,
                    "the method " + call.method() + " is only available over WebSocket"),
                GatewayMetrics.Outcome.DENIED);
      }
      if (immediate != null) {
        outcomes[index] = call.notification() ? SILENT : immediate;
        return;
      }
      CompletableFuture<ObjectNode> future;
      try {
        future =
            router.route(
                new RouteRequest(chain.chainId(), call.method(), call.request(), rule, deadline, session, true));
      } catch (RuntimeException e) {
        future = CompletableFuture.failedFuture(e);
      }
      if (future == null) {
        future = CompletableFuture.failedFuture(new IllegalStateException("the router returned no future"));
      }
      if (call.notification()) {
        outcomes[index] = SILENT;
        future.whenComplete(
            (response, failure) -> {
              if (failure != null) {
                log.debug("notification {} failed: {}", call.method(), failure.toString());
              }
            });
        return;
      }
      pending++;
      routed[index] = future;
      future.whenComplete(
          (response, failure) -> {
            if (loop.inEventLoop()) {
              complete(index, response, failure);
            } else {
              loop.execute(() -> complete(index, response, failure));
            }
          });
    }

    private void complete(int index, ObjectNode response, Throwable failure) {
      if (finished || outcomes[index] != null) {
        return;
      }
      outcomes[index] = failure == null ? routedOutcome(response) : failedOutcome(failure);
      pending--;
      if (pending == 0 && !starting) {
        finish();
      }
    }

    private void timeOut() {
      if (finished) {
        return;
      }
      for (int i = 0; i < outcomes.length; i++) {
        if (outcomes[i] == null) {
          outcomes[i] = new Outcome.Failed(JsonRpcError.timedOut(), GatewayMetrics.Outcome.TIMEOUT);
          routed[i].cancel(false);
        }
      }
      pending = 0;
      finish();
    }

    private void finish() {
      finished = true;
      if (timer != null) {
        timer.cancel(false);
      }
      ByteBuf buf = alloc.buffer(256);
      try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
        if (batch ? writeBatch(buf, out) : writeSingle(buf, out)) {
          reply.send(buf);
          return;
        }
      } catch (IOException | RuntimeException e) {
        log.error("writing a JSON-RPC response failed", e);
        buf.release();
        reply.send(errorBody(alloc, JsonRpcError.internal()));
        return;
      } finally {
        record();
      }
      buf.release();
      reply.nothing();
    }

    private void record() {
      for (int i = 0; i < entries.length; i++) {
        String method = entries[i] instanceof RpcEntry.Call call ? call.method() : "";
        GatewayMetrics.Outcome kind =
            switch (outcomes[i]) {
              case Outcome.Silent silent -> null;
              case Outcome.Local local -> GatewayMetrics.Outcome.OK;
              case Outcome.Routed r ->
                  r.response().has("error") ? GatewayMetrics.Outcome.RPC_ERROR : GatewayMetrics.Outcome.OK;
              case Outcome.Failed failed -> failed.kind();
            };
        if (kind != null) {
          metrics.call(chain.chainId(), method, chain.methods().listedMethods(), kind);
        }
      }
      metrics.body(
          transport(session), batch ? "batch" : "single", Duration.ofNanos(System.nanoTime() - started));
    }

    private boolean writeSingle(ByteBuf buf, ByteBufOutputStream out) throws IOException {
      if (outcomes[0] instanceof Outcome.Silent) {
        return false;
      }
      String id = rawId(entries[0]);
      write(out, id, outcomes[0]);
      if (buf.readableBytes() > maxResponseBytes) {
        buf.clear();
        writer.writeError(out, id, JsonRpcError.responseTooLarge());
      }
      return true;
    }

    private boolean writeBatch(ByteBuf buf, ByteBufOutputStream out) throws IOException {
      boolean any = false;
      out.write('[');
      for (int i = 0; i < entries.length; i++) {
        if (outcomes[i] instanceof Outcome.Silent) {
          continue;
        }
        int mark = buf.writerIndex();
        if (any) {
          out.write(',');
        }
        String id = rawId(entries[i]);
        write(out, id, outcomes[i]);
        if (buf.readableBytes() + 1 > maxResponseBytes) {
          buf.writerIndex(mark);
          if (any) {
            out.write(',');
          }
          writer.writeError(out, id, JsonRpcError.responseTooLarge());
        }
        any = true;
      }
      out.write(']');
      return any;
    }

    private void write(ByteBufOutputStream out, String id, Outcome outcome) throws IOException {
      switch (outcome) {
        case Outcome.Failed failed -> writer.writeError(out, id, failed.error());
        case Outcome.Local local -> writer.writeResult(out, id, local.result());
        case Outcome.Routed routedResponse -> {
          if (!writer.writeRouted(out, id, routedResponse.response())) {
            log.error("the router answered without result or error for chain {}", chain.chainId());
            writer.writeError(out, id, JsonRpcError.internal());
          }
        }
        case Outcome.Silent silent -> throw new IllegalStateException("silent entries are skipped");
      }
    }
  }

  private static Outcome routedOutcome(ObjectNode response) {
    if (response == null) {
      log.error("the router completed with no response");
      return new Outcome.Failed(JsonRpcError.internal(), GatewayMetrics.Outcome.FAILED);
    }
    return new Outcome.Routed(response);
  }

  private static Outcome failedOutcome(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RouteException route) {
      String message = route.getMessage() == null ? "internal error" : route.getMessage();
      GatewayMetrics.Outcome kind =
          route.code() == JsonRpcError.TIMEOUT ? GatewayMetrics.Outcome.TIMEOUT : GatewayMetrics.Outcome.FAILED;
      return new Outcome.Failed(new JsonRpcError(route.code(), message), kind);
    }
    if (cause instanceof CancellationException) {
      return new Outcome.Failed(JsonRpcError.timedOut(), GatewayMetrics.Outcome.TIMEOUT);
    }
    log.error("the router failed with an unexpected exception", cause);
    return new Outcome.Failed(JsonRpcError.internal(), GatewayMetrics.Outcome.FAILED);
  }

  private static String rawId(RpcEntry entry) {
    return switch (entry) {
      case RpcEntry.Invalid invalid -> invalid.rawId();
      case RpcEntry.Call call -> call.rawId().orElse("null");
    };
  }

  private static String transport(Optional<String> session) {
    return session.isPresent() ? "ws" : "http";
  }

  private static boolean needsWebSocket(String method) {
    return method.equals("eth_subscribe") || method.equals("eth_unsubscribe");
  }

  static JsonRpcError notAllowed(String method) {
    return new JsonRpcError(
        JsonRpcError.METHOD_NOT_FOUND,
        "the method " + JsonRpcError.quote(method) + " is not allowed on this gateway");
  }
}
