package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.relay.protocol.RelayRequest;
import io.disjoint.relay.protocol.RelayResponse;
import io.disjoint.relay.protocol.RelayTransport;
import io.disjoint.relay.protocol.RelayTransportException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted transport for router unit tests: each peer answers through a behaviour the test
 * sets; every call is recorded. Delays run on the test's {@link ManualTime}.
 */
final class FakeRelayTransport implements RelayTransport {
  static final ObjectMapper JSON = new ObjectMapper();

  record Call(String peer, JsonNode request) {}

  interface Behaviour extends Function<JsonNode, CompletableFuture<RelayResponse>> {}

  private final ManualTime time;
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  final List<Call> calls = new CopyOnWriteArrayList<>();
  volatile long headNumber = 100;

  FakeRelayTransport(ManualTime time) {
    this.time = time;
  }

  void set(String peer, Behaviour b) {
    behaviours.put(peer, b);
  }

  @Override
  public CompletableFuture<RelayResponse> send(String peerId, RelayRequest request) {
    JsonNode json;
    try {
      json = JSON.readTree(request.payload());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    calls.add(new Call(peerId, json));
    Behaviour b = behaviours.getOrDefault(peerId, result("\"0x1\""));
    return b.apply(json);
  }

  List<String> peersCalled() {
    return calls.stream().map(Call::peer).toList();
  }

  long callsTo(String peer) {
    return calls.stream().filter(c -> c.peer().equals(peer)).count();
  }

  static RelayResponse ok(String body, long head) {
    return RelayResponse.ok(0, body.getBytes(StandardCharsets.UTF_8), head, new byte[0], ("signed-by-peer").getBytes(StandardCharsets.UTF_8));
  }

  /** Answers {"result": resultJson} at once. */
  Behaviour result(String resultJson) {
    return req -> CompletableFuture.completedFuture(ok("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":" + resultJson + "}", headNumber));
  }

  /** Answers with a computed result at once. */
  Behaviour compute(Function<JsonNode, String> resultJson) {
    return req -> CompletableFuture.completedFuture(
        ok("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":" + resultJson.apply(req) + "}", headNumber));
  }

  Behaviour error(int code, String message) {
    return req -> CompletableFuture.completedFuture(ok(
        "{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\"}}", headNumber));
  }

  Behaviour transportFailure() {
    return req -> CompletableFuture.failedFuture(new RelayTransportException(RelayTransportException.Kind.CLOSED, "stream reset"));
  }

  /** Cycles through the given behaviours, one per call. */
  Behaviour cycle(Behaviour... steps) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return req -> steps[Math.floorMod(n.getAndIncrement(), steps.length)].apply(req);
  }

  /** Never answers (a hung upstream); the router's deadline or hedge must cope. */
  Behaviour hang() {
    return req -> new CompletableFuture<>();
  }

  /** Answers {@code resultJson} after {@code delay} of manual time. */
  Behaviour delayed(Duration delay, String resultJson) {
    return req -> {
      CompletableFuture<RelayResponse> f = new CompletableFuture<>();
      time.schedule(delay, () -> f.complete(ok("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + resultJson + "}", headNumber)));
      return f;
    };
  }
}
