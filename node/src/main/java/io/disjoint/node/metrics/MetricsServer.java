package io.disjoint.node.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.disjoint.node.NodeException;
import io.disjoint.node.config.HostPort;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Serves the node's Micrometer registry in the Prometheus text format at {@code GET /metrics}
 * on the {@code --metrics} address. A scrape is rare and small, so the JDK's HTTP server on one
 * virtual-thread executor is enough and keeps it off the Netty event loops.
 */
public final class MetricsServer implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final HttpServer server;

  private MetricsServer(PrometheusMeterRegistry registry, HttpServer server) {
    this.registry = registry;
    this.server = server;
  }

  public static MetricsServer start(PrometheusMeterRegistry registry, HostPort where) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(where.host(), where.port()), 16);
    } catch (IOException e) {
      throw new NodeException("--metrics cannot listen on " + where + ": " + e.getMessage(), e);
    }
    MetricsServer m = new MetricsServer(registry, server);
    server.createContext("/", m::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return m;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (!"GET".equals(ex.getRequestMethod()) || !("/metrics".equals(path) || "/".equals(path))) {
        ex.sendResponseHeaders("GET".equals(ex.getRequestMethod()) ? 404 : 405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  public HostPort address() {
    InetSocketAddress a = server.getAddress();
    return new HostPort(a.getAddress().getHostAddress(), a.getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
