package io.disjoint.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hostile and unusual clients against a real gateway: each gets a clear error, others go on. */
class GatewayLimitsTest {
  private static final String PATH = "/" + GatewayFixture.CHAIN;
  private GatewayFixture gateway;

  @BeforeEach
  void start() throws Exception {
    gateway = new GatewayFixture();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private static JsonNode json(String body) throws IOException {
    return JsonRpcMapper.SHARED.readTree(body);
  }

  @Test
  void tenMegabyteBodyGets413WithAJsonErrorAndTheClientSeesIt() throws Exception {
    int size = 10 * 1024 * 1024;
    try (RawHttp client = new RawHttp(gateway.port())) {
      client.write("POST " + PATH + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + size + "\r\n\r\n");
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) ' ');
        try {
          for (int sent = 0; sent < size; sent += chunk.length) {
            client.write(chunk);
          }
        } catch (IOException e) {
          // the server may close once it has answered; what matters is the answer below
        }
      });
      RawHttp.Response response = client.read();
      assertEquals(413, response.status());
      JsonNode error = json(response.body()).get("error");
      assertEquals(-32600, error.get("code").asInt());
      assertEquals("request body larger than 5242880 bytes", error.get("message").asText());
      assertEquals("close", response.headers().get("connection"));
      sending.get(10, TimeUnit.SECONDS);
    }
    assertEquals(0, gateway.router.received.size(), "nothing of the body was routed");
    assertEquals(200, gateway.postJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}").statusCode());
  }

  @Test
  void chunkedBodyOverTheLimitGets413() throws Exception {
    try (RawHttp client = new RawHttp(gateway.port())) {
      client.write("POST " + PATH + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      byte[] data = new byte[1024 * 1024];
      Arrays.fill(data, (byte) '[');
      String header = Integer.toHexString(data.length) + "\r\n";
      try {
        for (int i = 0; i < 6; i++) {
          client.write(header);
          client.write(data);
          client.write("\r\n");
        }
      } catch (IOException e) {
        // closed after answering
      }
      RawHttp.Response response = client.read();
      assertEquals(413, response.status());
      assertEquals(-32600, json(response.body()).path("error").path("code").asInt());
    }
  }

  @Test
  void tenThousandEntryBatchIsRejectedBeforeAnyRouting() throws Exception {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 10_000; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"jsonrpc\":\"2.0\",\"id\":").append(i + 7).append(",\"method\":\"eth_blockNumber\"}");
    }
    HttpResponse<String> response = gateway.postJson(batch.append(']').toString());
    assertEquals(200, response.statusCode());
    JsonNode body = json(response.body());
    assertTrue(body.isArray() && body.size() == 1, response.body());
    assertEquals(7, body.get(0).get("id").asInt(), "geth reports the first call's id");
    assertEquals(-32600, body.get(0).get("error").get("code").asInt());
    assertEquals("batch too large", body.get(0).get("error").get("message").asText());
    assertEquals(0, gateway.router.received.size());
  }

  @Test
  void batchAtTheLimitIsServedInOrder() throws Exception {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 1_000; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"jsonrpc\":\"2.0\",\"id\":").append(i).append(",\"method\":\"eth_getCode\",\"params\":[").append(i).append("]}");
    }
    JsonNode body;
    try (GatewayFixture roomy = new GatewayFixture(GatewayFixture.defaults().maxResponseBytes(25_000_000).build())) {
      body = json(roomy.postJson(batch.append(']').toString()).body());
    }
    assertEquals(1_000, body.size());
    for (int i = 0; i < 1_000; i++) {
      assertEquals(i, body.get(i).get("id").asInt());
      assertEquals(i, body.get(i).get("result").get("params").get(0).asInt());
    }
  }

  @Test
  void deepNestingIsAParseErrorWithoutStackTrouble() throws Exception {
    String body = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    HttpResponse<String> response = gateway.postJson(body);
    assertEquals(200, response.statusCode());
    JsonNode error = json(response.body()).get("error");
    assertEquals(-32700, error.get("code").asInt());
    assertTrue(error.get("message").asText().contains("nested deeper than 64"), error.toString());
  }

  @Test
  void missingContentTypeIs415() throws Exception {
    HttpResponse<String> response = gateway.post(PATH, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}");
    assertEquals(415, response.statusCode());
    assertEquals("content type must be application/json", json(response.body()).path("error").path("message").asText());
  }

  @Test
  void slowClientIsCutOffWith408AndOthersAreUnaffected() throws Exception {
    try (RawHttp stalled = new RawHttp(gateway.port()); RawHttp trickling = new RawHttp(gateway.port())) {
      // headers complete, body never comes
      stalled.write("POST " + PATH + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"js");
      // headers never complete (slowloris)
      trickling.write("POST " + PATH + " HTTP/1.1\r\nHost: x\r\n");
      long start = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> ok = gateway.postJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}");
        assertEquals("0x10", json(ok.body()).get("result").asText());
        assertTrue(System.nanoTime() - t0 < Duration.ofMillis(700).toNanos(), "a healthy client is served before the stalled ones time out");
      }
      trickling.write("X-Slow: 1\r\n");
      RawHttp.Response cut = stalled.read();
      assertEquals(408, cut.status());
      assertTrue(json(cut.body()).path("error").path("message").asText().startsWith("request not received within 800 ms"));
      assertTrue(stalled.closedByServer());
      assertEquals(408, trickling.read().status(), "trickling headers does not reset the clock");
      assertTrue(trickling.closedByServer());
      long waitedMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(waitedMillis < 3_000, "cut off after the read timeout, waited " + waitedMillis);
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (RawHttp client = new RawHttp(gateway.port())) {
      client.write(
          RawHttp.post(PATH, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_testHang\"}")
              + RawHttp.post(PATH, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_chainId\"}")
              + RawHttp.post(PATH, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_blockNumber\"}"));
      RawHttp.Response first = client.read();
      assertEquals(-32002, json(first.body()).get("error").get("code").asInt());
      assertEquals(1, json(first.body()).get("id").asInt());
      assertEquals(2, json(client.read().body()).get("id").asInt());
      assertEquals("0x10", json(client.read().body()).get("result").asText());
    }
  }

  @Test
  void corsPreflightAndSimpleRequests() throws Exception {
    HttpResponse<String> preflight = gateway.http.send(
        HttpRequest.newBuilder(gateway.uri(PATH))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", "https://app.example")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(204, preflight.statusCode());
    assertEquals("https://app.example", preflight.headers().firstValue("access-control-allow-origin").orElseThrow());
    assertTrue(preflight.headers().firstValue("access-control-allow-methods").orElseThrow().contains("POST"));
    assertEquals("content-type", preflight.headers().firstValue("access-control-allow-headers").orElseThrow());

    HttpResponse<String> foreign = gateway.http.send(
        HttpRequest.newBuilder(gateway.uri(PATH))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", "https://evil.example")
            .header("Access-Control-Request-Method", "POST")
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, foreign.statusCode());

    HttpResponse<String> call = gateway.http.send(
        HttpRequest.newBuilder(gateway.uri(PATH))
            .header("Origin", "https://app.example")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("https://app.example", call.headers().firstValue("access-control-allow-origin").orElseThrow());
    assertTrue("origin".equalsIgnoreCase(call.headers().firstValue("vary").orElseThrow()));
  }

  @Test
  void healthReportsChainsAndRoutablePeers() throws Exception {
    HttpResponse<String> healthy = gateway.http.send(
        HttpRequest.newBuilder(gateway.uri("/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, healthy.statusCode());
    JsonNode body = json(healthy.body());
    assertEquals("ok", body.get("status").asText());
    assertEquals(GatewayFixture.CHAIN, body.get("chains").get(0).get("chain").asText());
    assertEquals("eth", body.get("chains").get(0).get("aliases").get(0).asText());
    assertEquals(3, body.get("chains").get(0).get("routablePeers").asInt());

    gateway.peers.set(0);
    HttpResponse<String> down = gateway.http.send(
        HttpRequest.newBuilder(gateway.uri("/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(503, down.statusCode());
    assertEquals("unavailable", json(down.body()).get("status").asText());
  }

  @Test
  void getWithoutUpgradeIs405() throws Exception {
    HttpResponse<String> response = gateway.http.send(
        HttpRequest.newBuilder(gateway.uri(PATH)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertEquals(405, response.statusCode());
    assertTrue(response.headers().firstValue("allow").orElseThrow().contains("POST"));
  }

  @Test
  void routedRequestsCarryRuleDeadlineAndNoSessionOverHttp() throws Exception {
    gateway.postJson("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_sendRawTransaction\",\"params\":[\"0x01\"]},"
        + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_getLogs\",\"params\":[{}]}]");
    assertEquals(2, gateway.router.received.size());
    var byMethod = new java.util.HashMap<String, io.disjoint.relay.route.RouteRequest>();
    gateway.router.received.forEach(r -> byMethod.put(r.method(), r));
    var send = byMethod.get("eth_sendRawTransaction");
    assertEquals(io.disjoint.relay.route.MethodRule.Routing.BROADCAST, send.rule().routing());
    assertEquals(250, send.rule().computeUnits());
    assertEquals(GatewayFixture.CHAIN, send.chain());
    assertTrue(send.session().isEmpty());
    assertEquals(80, byMethod.get("eth_getLogs").rule().computeUnits());
    long untilDeadline = Duration.between(java.time.Instant.now(), send.deadline()).toMillis();
    assertTrue(untilDeadline <= 400 && untilDeadline > -1_000, "deadline = now + requestTimeout, was " + untilDeadline);
  }

  @Test
  void clientThatSendsWithoutReadingIsNotBufferedWithoutBound() throws Exception {
    int requests = 200;
    int answerBytes = 1_000_000;
    try (GatewayFixture roomy = new GatewayFixture(GatewayFixture.defaults().maxResponseBytes(25_000_000).requestTimeout(Duration.ofSeconds(5)).build());
        RawHttp client = new RawHttp(roomy.port())) {
      client.socket.setReceiveBufferSize(64 * 1024);
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < requests; i++) {
            client.write(RawHttp.post(PATH, "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"eth_testLarge\",\"params\":[" + answerBytes + "]}"));
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Thread.sleep(1_000);
      int routedWhileNotReading = roomy.router.received.size();
      assertTrue(routedWhileNotReading < 20,
          "the gateway stopped reading once answers backed up; routed " + routedWhileNotReading + " of " + requests);
      for (int i = 0; i < requests; i++) {
        RawHttp.Response response = client.read();
        assertEquals(200, response.status());
        assertTrue(response.body().startsWith("{\"jsonrpc\":\"2.0\",\"id\":" + i + ","), "answer " + i + " in order");
        assertEquals(answerBytes + 35 + Integer.toString(i).length(), response.body().length());
      }
      sending.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aThousandPipelinedRequestsInOneWriteAreAllAnsweredInOrder() throws Exception {
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 1_000; i++) {
      all.append(RawHttp.post(PATH, "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"" + (i % 2 == 0 ? "eth_chainId" : "eth_blockNumber") + "\"}"));
    }
    try (RawHttp client = new RawHttp(gateway.port())) {
      client.write(all.toString());
      for (int i = 0; i < 1_000; i++) {
        JsonNode answer = json(client.read().body());
        assertEquals(i, answer.get("id").asInt());
        assertEquals(i % 2 == 0 ? "0x7a69" : "0x10", answer.get("result").asText());
      }
    }
  }

  @Test
  void metersCountCallsWithBoundedTags() throws Exception {
    gateway.postJson("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"admin_peers\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_testRevert\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"eth_random_client_text_12345\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":7}]");
    gateway.postJson("{broken");
    var registry = gateway.metrics;
    // Body timers are recorded once the response write completes, which can be just after the
    // client has read the response: wait for them instead of racing the event loop.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline
        && (registry.find("disjoint.gateway.bodies").tags("kind", "rejected").timer() == null
            || registry.find("disjoint.gateway.bodies").tags("transport", "http", "kind", "batch").timer() == null)) {
      Thread.sleep(5);
    }
    assertEquals(1.0, registry.get("disjoint.gateway.calls").tags("method", "eth_blockNumber", "outcome", "ok").counter().count());
    assertEquals(1.0, registry.get("disjoint.gateway.calls").tags("method", "other", "outcome", "denied").counter().count());
    assertEquals(1.0, registry.get("disjoint.gateway.calls").tags("method", "other", "outcome", "rpc_error").counter().count(),
        "an unlisted method name is never a tag value");
    assertEquals(1.0, registry.get("disjoint.gateway.calls").tags("method", "other", "outcome", "invalid").counter().count());
    assertEquals(1, registry.get("disjoint.gateway.bodies").tags("transport", "http", "kind", "batch").timer().count());
    assertEquals(1, registry.get("disjoint.gateway.bodies").tags("kind", "rejected").timer().count());
    registry.getMeters().forEach(meter -> meter.getId().getTags().forEach(tag ->
        assertTrue(!tag.getValue().contains("random_client_text"), "client text leaked into tag " + tag)));
  }

  @Test
  void connectionCloseAndHttp10AreHonoured() throws Exception {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}";
    try (RawHttp client = new RawHttp(gateway.port())) {
      client.write("POST " + PATH + " HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      RawHttp.Response response = client.read();
      assertEquals("0x7a69", json(response.body()).get("result").asText());
      assertTrue(client.closedByServer(), "HTTP/1.0 without keep-alive ends the connection");
    }
    try (RawHttp client = new RawHttp(gateway.port())) {
      client.write("POST " + PATH + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      RawHttp.Response response = client.read();
      assertEquals("close", response.headers().get("connection"));
      assertTrue(client.closedByServer());
    }
    try (RawHttp client = new RawHttp(gateway.port())) {
      client.write("POST " + PATH + " HTTP/1.0\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      assertEquals("keep-alive", client.read().headers().get("connection"));
      client.write("POST " + PATH + " HTTP/1.0\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      assertEquals("0x7a69", json(client.read().body()).get("result").asText(), "the connection was kept");
    }
  }
}
