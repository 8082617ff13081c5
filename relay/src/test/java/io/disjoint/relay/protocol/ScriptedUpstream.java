package io.disjoint.relay.protocol;

import io.disjoint.relay.upstream.Head;
import io.disjoint.relay.upstream.UpstreamClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * An in-memory upstream for protocol tests: answers each request with what {@code answer}
 * computes, either at once or held until the test releases it (to force out-of-order replies).
 */
final class ScriptedUpstream implements UpstreamClient {
  private final Function<String, CompletableFuture<byte[]>> answer;
  final List<CompletableFuture<byte[]>> held = new ArrayList<>();
  volatile Head head = new Head(100, "0x" + "ab".repeat(32), Instant.EPOCH);
  volatile int calls;

  ScriptedUpstream(Function<String, CompletableFuture<byte[]>> answer) {
    this.answer = answer;
  }

  /** Echoes the request's params into a result. */
  static ScriptedUpstream echo() {
    return new ScriptedUpstream(req -> CompletableFuture.completedFuture(
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + req + "}").getBytes(StandardCharsets.UTF_8)));
  }

  /** Holds every request until the test completes the futures in {@link #held}. */
  static ScriptedUpstream holding() {
    ScriptedUpstream[] self = new ScriptedUpstream[1];
    self[0] = new ScriptedUpstream(req -> {
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      synchronized (self[0].held) {
        self[0].held.add(f);
      }
      return f;
    });
    return self[0];
  }

  @Override
  public CompletableFuture<byte[]> send(byte[] requestJson, Duration timeout) {
    calls++;
    return answer.apply(new String(requestJson, StandardCharsets.UTF_8));
  }

  @Override
  public Head head() {
    return head;
  }

  @Override
  public void close() {}
}
