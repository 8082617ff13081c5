package io.disjoint.testnet.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JSON-RPC HTTP proxy in front of anvil that a drill puts between one node and its upstream:
 * it counts requests per method and can tamper with the results of some methods (a lying
 * upstream) or never answer them (a hung upstream), while passing every other method through.
 */
final class UpstreamProxy implements AutoCloseable {
  enum Behaviour { PASS, TAMPER, HANG }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final URI upstream;
  private final Behaviour behaviour;
  private final Set<String> affected;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final CountDownLatch released = new CountDownLatch(1);
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong tampered = new AtomicLong();
  private final AtomicLong hung = new AtomicLong();

  private final Duration addedDelay;

  UpstreamProxy(URI upstream, Behaviour behaviour, Set<String> affectedMethods) throws IOException {
    this(upstream, behaviour, affectedMethods, Duration.ZERO);
  }

  /** @param addedDelay every answer is held this long first (a slower network path) */
  UpstreamProxy(URI upstream, Behaviour behaviour, Set<String> affectedMethods, Duration addedDelay) throws IOException {
    this.addedDelay = addedDelay;
    this.upstream = upstream;
    this.behaviour = behaviour;
    this.affected = Set.copyOf(affectedMethods);
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  long count(String method) {
    AtomicLong c = counts.get(method);
    return c == null ? 0 : c.get();
  }

  Map<String, Long> counts() {
    Map<String, Long> out = new java.util.TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  long tampered() {
    return tampered.get();
  }

  long hung() {
    return hung.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      JsonNode req = JSON.readTree(body);
      boolean hit = false;
      for (JsonNode r : req.isArray() ? req : JSON.createArrayNode().add(req)) {
        String method = r.path("method").asText("");
        counts.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
        hit |= affected.contains(method);
      }
      if (hit && behaviour == Behaviour.HANG) {
        hung.incrementAndGet();
        try {
          released.await(); // until the proxy closes: a hung upstream
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      HttpResponse<byte[]> resp;
      try {
        if (!addedDelay.isZero()) {
          Thread.sleep(addedDelay);
        }
        resp = client.send(HttpRequest.newBuilder(upstream).timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      byte[] out = resp.body();
      if (hit && behaviour == Behaviour.TAMPER && resp.statusCode() == 200) {
        out = tamper(out);
      }
      ex.getResponseHeaders().set("content-type", "application/json");
      ex.sendResponseHeaders(resp.statusCode(), out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
  }

  /** Changes every affected result: a quantity gets 1 added, other hex data its last nibble flipped. */
  private byte[] tamper(byte[] response) throws IOException {
    JsonNode resp = JSON.readTree(response);
    if (resp.isArray()) {
      for (JsonNode r : resp) {
        tamperOne((ObjectNode) r);
      }
    } else {
      tamperOne((ObjectNode) resp);
    }
    return JSON.writeValueAsBytes(resp);
  }

  private void tamperOne(ObjectNode r) {
    JsonNode result = r.get("result");
    if (result == null || !result.isTextual() || !result.asText().startsWith("0x")) {
      return;
    }
    String hex = result.asText();
    String changed;
    if (hex.length() <= 66 && !hex.equals("0x")) {
      changed = "0x" + new BigInteger(hex.substring(2), 16).add(BigInteger.valueOf(1_000_000_007L)).toString(16);
    } else {
      char last = hex.charAt(hex.length() - 1);
      changed = hex.substring(0, hex.length() - 1) + (last == '0' ? '1' : '0');
    }
    r.put("result", changed);
    tampered.incrementAndGet();
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
