package io.disjoint.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.node.config.HostPort;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  @Test
  void servesThePrometheusTextOnLoopback() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("disjoint.test.events", "outcome", "ok").increment(3);
    try (MetricsServer server = MetricsServer.start(registry, new HostPort("127.0.0.1", 0))) {
      HttpClient http = HttpClient.newHttpClient();
      URI url = URI.create("http://127.0.0.1:" + server.address().port() + "/metrics");
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("disjoint_test_events_total{outcome=\"ok\"} 3.0"), r.body());
      HttpResponse<String> missing = http.send(HttpRequest.newBuilder(url.resolve("/nope")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missing.statusCode());
    }
  }
}
