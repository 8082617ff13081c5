package io.disjoint.node.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny JSON-RPC chain node on a real loopback socket: a fixed head for the head tracker and
 * {@code "0x2a"} for anything else; counts calls per method.
 */
final class FakeUpstream implements AutoCloseable {
  static final String HEAD_HASH = "0x" + "ab".repeat(32);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final ConcurrentHashMap<String, AtomicLong> calls = new ConcurrentHashMap<>();

  FakeUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", ex -> {
      try (ex) {
        JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
        String method = req.path("method").asText();
        calls.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
        ObjectNode resp = JSON.createObjectNode().put("jsonrpc", "2.0");
        resp.set("id", req.get("id"));
        if (method.equals("eth_getBlockByNumber") || method.equals("eth_blockNumber")) {
          if (method.equals("eth_blockNumber")) {
            resp.put("result", "0x10");
          } else {
            resp.putObject("result").put("number", "0x10").put("hash", HEAD_HASH)
                .put("parentHash", "0x" + "00".repeat(32)).put("timestamp", "0x1");
          }
        } else {
          resp.put("result", "0x2a");
        }
        byte[] body = JSON.writeValueAsBytes(resp);
        ex.getResponseHeaders().set("content-type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  long calls(String method) {
    AtomicLong c = calls.get(method);
    return c == null ? 0 : c.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
