package io.disjoint.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.node.DisjointNode;
import io.disjoint.node.config.DomainClaim;
import io.disjoint.node.config.HostPort;
import io.disjoint.node.config.NodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pure gateway (no --serve, no --route for the chain) learns the chain from a serving peer's
 * hello over real libp2p: it announces the URL once, relays to the peer, lists the chain with its
 * peers per failure domain on /health, and once the peer is gone answers with a JSON-RPC error
 * that says no peer serves the chain right now. A --route chain is announced from the start.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LearnedChainsTest {
  private static final String CHAIN = "eip155:31337";
  private static final String ROUTED = "eip155:10";
  private static final String AWS = "provider=aws,region=us-east-1,country=US,operator=op1,asn=16509";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aGatewayLearnsChainsFromHellosAndSaysWhenNoPeerServesThem(@TempDir Path dir) throws Exception {
    try (TestChainNode upstream = new TestChainNode(100)) {
      DisjointNode serving = DisjointNode.start(NodeConfig.builder().dataDir(dir.resolve("serving"))
          .listen("/ip4/127.0.0.1/tcp/0").serve(CHAIN + "=" + upstream.url()).domain(DomainClaim.parse(AWS, "--domain"))
          .build());
      DisjointNode gateway = null;
      try {
        gateway = DisjointNode.start(NodeConfig.builder().dataDir(dir.resolve("gateway")).listen("/ip4/127.0.0.1/tcp/0")
            .gateway(HostPort.parse("127.0.0.1:0", "--gateway")).route(ROUTED)
            .peer(serving.listenAddresses().get(0)).build());
        List<String> announced = new CopyOnWriteArrayList<>();
        List<String> atStart = gateway.subscribeGatewayUrls(announced::add);
        String base = atStart.get(0).substring(0, atStart.get(0).lastIndexOf('/') + 1);
        assertEquals(List.of(base + ROUTED), atStart, "a --route chain is announced before any peer serves it");

        await(() -> announced.contains(base + CHAIN), "the gateway announces " + CHAIN + " learned from the hello");
        assertEquals(List.of(base + CHAIN), announced, "announced exactly once");
        assertEquals(List.of(base + ROUTED, base + CHAIN), gateway.gatewayUrls());

        JsonNode answer = post(base + CHAIN, "eth_getBalance", "[\"0x" + "11".repeat(20) + "\",\"0x5\"]");
        assertEquals("0x" + Long.toHexString(TestChainNode.balanceAt(5)), answer.path("result").asText(), answer.toString());

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "health")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(health.body());
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("degraded", body.path("status").asText(), "the --route chain has no peer yet");
        JsonNode learned = body.path("chains").get(1);
        assertEquals(CHAIN, learned.path("chain").asText());
        assertEquals(1, learned.path("routablePeers").asInt());
        assertEquals(1, learned.path("routablePeersByDomain").path(AWS).asInt(), health.body());
        assertTrue(!health.body().contains(serving.peerId().toBase58()), "no peer ids on /health");
        String scrape = gateway.metrics().scrape();
        assertTrue(scrape.contains("disjoint_router_hedges_suppressed_total") && scrape.contains("disjoint_router_quorum_pinned_total"),
            "the hedge budget and pinning meters are registered");

        serving.close();
        DisjointNode gw = gateway;
        JsonNode[] last = new JsonNode[1];
        await(() -> {
          last[0] = post(base + CHAIN, "eth_getBalance", "[\"0x" + "11".repeat(20) + "\",\"latest\"]");
          // While the connection closes a request may still fail on the dying stream.
          return last[0].path("error").path("message").asText().startsWith("no peer serves");
        }, "requests fail with 'no peer serves' once the only peer is gone");
        assertEquals(-32002, last[0].path("error").path("code").asInt());
        assertEquals("no peer serves " + CHAIN + " right now; retry when one connects",
            last[0].path("error").path("message").asText());
        assertEquals(List.of(base + ROUTED, base + CHAIN), gw.gatewayUrls(), "the chain stays accepted");
        assertEquals(1, announced.size());
      } finally {
        if (gateway != null) {
          gateway.close();
        }
        serving.close();
        http.shutdownNow();
      }
    }
  }

  private JsonNode post(String url, String method, String params) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError("POST " + url + " failed", e);
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(50);
    }
  }
}
