package io.disjoint.relay.upstream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The serving side's connection to the operator's own chain node (keep-alive HTTP and/or
 * WebSocket). Payloads are raw JSON-RPC bytes so the relay path does not re-encode them.
 */
public interface UpstreamClient extends AutoCloseable {
  /**
   * Sends one JSON-RPC request (object or batch) and completes with the upstream's raw response
   * body. Fails with {@link UpstreamException}, whose {@link UpstreamException#retryable()} says
   * whether another node might do better (transport error, timeout, HTTP 429/5xx).
   */
  CompletableFuture<byte[]> send(byte[] requestJson, Duration timeout);

  /** The latest head seen by the head tracker; {@link Head#UNKNOWN} before the first one. */
  Head head();

  @Override
  void close();
}
