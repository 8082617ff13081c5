package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.route.RouteRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Splits an eth_getLogs over a large numeric block range into pieces of at most
 * {@code logsMaxRange} blocks, routes them (at most {@code logsConcurrency} at once, each with
 * failover and hedging), and merges the logs in block order. Ranges given by tag ("latest") or by
 * blockHash, and ranges needing more than {@code logsMaxChunks} pieces, are passed through whole.
 */
final class LogRangeSplitter {
  private final RouterContext ctx;

  LogRangeSplitter(RouterContext ctx) {
    this.ctx = ctx;
  }

  /** The [from, to] range when this request should be split. */
  Optional<long[]> splitRange(RouteRequest r) {
    if (!r.method().equals("eth_getLogs")) {
      return Optional.empty();
    }
    JsonNode filter = r.request().path("params").path(0);
    if (!filter.isObject() || filter.has("blockHash")) {
      return Optional.empty();
    }
    Optional<Long> from = blockNumber(filter.get("fromBlock"));
    Optional<Long> to = blockNumber(filter.get("toBlock"));
    if (from.isEmpty() || to.isEmpty() || to.get() < from.get()) {
      return Optional.empty();
    }
    long span = to.get() - from.get() + 1;
    long max = ctx.config().logsMaxRange();
    if (span <= max || (span + max - 1) / max > ctx.config().logsMaxChunks()) {
      return Optional.empty();
    }
    return Optional.of(new long[] {from.get(), to.get()});
  }

  private static Optional<Long> blockNumber(JsonNode n) {
    if (n == null || !n.isTextual()) {
      return Optional.empty();
    }
    String s = n.asText();
    if (s.equals("earliest")) {
      return Optional.of(0L);
    }
    if (!s.startsWith("0x") || s.length() < 3 || s.length() > 18) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseUnsignedLong(s.substring(2), 16)).filter(v -> v >= 0);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  CompletableFuture<ObjectNode> route(RouteRequest r, long from, long to) {
    long max = ctx.config().logsMaxRange();
    List<byte[]> pieces = new ArrayList<>();
    for (long start = from; start <= to; start += max) {
      long end = Math.min(to, start + max - 1);
      ObjectNode piece = r.request().deepCopy();
      ObjectNode filter = (ObjectNode) piece.get("params").get(0);
      filter.put("fromBlock", "0x" + Long.toHexString(start));
      filter.put("toBlock", "0x" + Long.toHexString(end));
      pieces.add(bytes(piece));
    }
    return new Merge(r, pieces).start();
  }

  /** Runs the pieces with bounded concurrency and keeps their answers in order. */
  private final class Merge {
    private final RouteRequest request;
    private final List<byte[]> pieces;
    private final ObjectNode[] answers;
    private final CompletableFuture<ObjectNode> result = new CompletableFuture<>();
    private int next;
    private int done;

    Merge(RouteRequest request, List<byte[]> pieces) {
      this.request = request;
      this.pieces = pieces;
      this.answers = new ObjectNode[pieces.size()];
    }

    synchronized CompletableFuture<ObjectNode> start() {
      int n = Math.min(ctx.config().logsConcurrency(), pieces.size());
      for (int i = 0; i < n; i++) {
        launchNext();
      }
      return result;
    }

    private void launchNext() {
      if (next >= pieces.size() || result.isDone()) {
        return;
      }
      int index = next++;
      FailoverCall.run(ctx, request.chain(), pieces.get(index), request.deadline(), request.rule().computeUnits(), true,
              Optional.empty(), Set.of())
          .whenComplete((a, e) -> onPiece(index, a, e));
    }

    private synchronized void onPiece(int index, Attempt a, Throwable e) {
      if (result.isDone()) {
        return;
      }
      if (e != null) {
        result.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e);
        return;
      }
      ObjectNode response = a.responseOrThrow();
      if (a.outcome() != Outcome.RESULT || !response.path("result").isArray()) {
        // One piece's error (e.g. too many results) is the answer for the whole range.
        result.complete(response);
        return;
      }
      answers[index] = response;
      done++;
      if (done == pieces.size()) {
        ObjectNode merged = ctx.json().createObjectNode().put("jsonrpc", "2.0");
        merged.set("id", request.request().get("id"));
        ArrayNode logs = merged.putArray("result");
        for (ObjectNode answer : answers) {
          answer.get("result").forEach(logs::add);
        }
        result.complete(merged);
      } else {
        launchNext();
      }
    }
  }

  private byte[] bytes(JsonNode node) {
    try {
      return ctx.json().writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
