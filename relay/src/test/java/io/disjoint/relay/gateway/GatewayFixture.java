package io.disjoint.relay.gateway;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** A real GatewayServer on 127.0.0.1, port 0, in front of a {@link ScriptedRouter}. */
final class GatewayFixture implements AutoCloseable {
  static final String CHAIN = "eip155:31337";

  final ScriptedRouter router = new ScriptedRouter();
  final WebSocketSessions sessions = new WebSocketSessions();
  final AtomicInteger peers = new AtomicInteger(3);
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  final GatewayServer server;
  final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  GatewayFixture() throws InterruptedException {
    this(defaults().build());
  }

  GatewayFixture(GatewayConfig config) throws InterruptedException {
    server = new GatewayServer(config, router, chain -> peers.get(), sessions, Clock.systemUTC(), metrics);
    server.start();
  }

  /** Test defaults: short timeouts, a small response limit so it can be hit cheaply. */
  static GatewayConfig.Builder defaults() {
    return GatewayConfig.builder()
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .chain(CHAIN)
        .alias("eth", CHAIN)
        .requestTimeout(Duration.ofMillis(400))
        .requestReadTimeout(Duration.ofMillis(800))
        .idleTimeout(Duration.ofSeconds(20))
        .maxResponseBytes(4096)
        .corsOrigins(java.util.List.of("https://app.example"))
        .ioThreads(2);
  }

  int port() {
    return server.address().getPort();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> postJson(String body) throws Exception {
    return post("/" + CHAIN, "application/json", body);
  }

  @Override
  public void close() {
    server.close();
    router.close();
    http.shutdownNow();
  }
}
