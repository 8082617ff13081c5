package io.disjoint.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small EVM-like JSON-RPC chain node on a real loopback socket whose state depends on the block:
 * a head that tests move, blocks {@code number -> hash}, and a balance of {@code 1000 + block}
 * wei for any address at any block (so answers at "latest" differ between nodes at different
 * heads, and answers at one pinned block agree). Everything else answers {@code "0x2a"}. Keeps the
 * block parameter of every eth_getBalance it got.
 */
final class TestChainNode implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  final AtomicLong head;
  /** When set, balances are wrong (a tampering node behind an honest-looking relay). */
  volatile boolean lies;
  final List<String> balanceBlockParams = new CopyOnWriteArrayList<>();
  /** Calls per method without a rule above (answered "0x2a"). */
  final java.util.Map<String, AtomicLong> otherCalls = new java.util.concurrent.ConcurrentHashMap<>();
  /**
   * Mean of an exponentially distributed delay before answering those (0 = at once): a long tail
   * in which about 5% of the answers come later than the 95th percentile, as in real nodes.
   */
  volatile long otherMeanDelayMicros;

  TestChainNode(long head) throws IOException {
    this.head = new AtomicLong(head);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(executor);
    server.createContext("/", ex -> {
      try (ex) {
        JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
        byte[] body = JSON.writeValueAsBytes(answer(req));
        ex.getResponseHeaders().set("content-type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  static long balanceAt(long block) {
    return 1000 + block;
  }

  private ObjectNode answer(JsonNode req) {
    String method = req.path("method").asText();
    JsonNode params = req.path("params");
    ObjectNode resp = JSON.createObjectNode().put("jsonrpc", "2.0");
    resp.set("id", req.get("id"));
    long now = head.get();
    switch (method) {
      case "eth_blockNumber" -> resp.put("result", hex(now));
      case "eth_getBlockByNumber" -> {
        long n = block(params.path(0), now);
        resp.putObject("result").put("number", hex(n)).put("hash", hash(n)).put("parentHash", hash(n - 1))
            .put("timestamp", hex(1_700_000_000L + n));
      }
      case "eth_getBalance" -> {
        balanceBlockParams.add(params.path(1).isMissingNode() ? "<none>" : params.path(1).asText());
        long n = block(params.path(1), now);
        if (n > now) {
          resp.putObject("error").put("code", -32000).put("message", "header not found");
        } else {
          resp.put("result", hex(lies ? 999_999 : balanceAt(n)));
        }
      }
      default -> {
        otherCalls.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
        long mean = otherMeanDelayMicros;
        if (mean > 0) {
          double u = java.util.concurrent.ThreadLocalRandom.current().nextDouble();
          long micros = Math.min(20 * mean, (long) (-Math.log(1 - u) * mean));
          try {
            Thread.sleep(java.time.Duration.ofNanos(micros * 1000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        resp.put("result", "0x2a");
      }
    }
    return resp;
  }

  private static long block(JsonNode tag, long head) {
    String t = tag.isMissingNode() || tag.isNull() ? "latest" : tag.asText();
    return t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : head;
  }

  private static String hex(long n) {
    return "0x" + Long.toHexString(n);
  }

  private static String hash(long n) {
    return String.format("0x%064x", Math.max(n, 0));
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
