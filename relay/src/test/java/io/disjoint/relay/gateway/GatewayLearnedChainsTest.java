package io.disjoint.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A gateway started without chains (a pure gateway) accepts chains learned while it runs, over a
 * real socket: 404 before, JSON-RPC after; /health reports them with per-domain counts; peers'
 * bad chain names are refused and their number is bounded.
 */
class GatewayLearnedChainsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final class Peers implements RoutablePeerCount {
    final Map<String, Map<String, Integer>> byChain = new ConcurrentHashMap<>();

    @Override
    public int routablePeers(String chain) {
      return byChain.getOrDefault(chain, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public Map<String, Integer> routablePeersByDomain(String chain) {
      return byChain.getOrDefault(chain, Map.of());
    }
  }

  @Test
  void aGatewayWithoutChainsAcceptsLearnedChains() throws Exception {
    Peers peers = new Peers();
    HttpClient http = HttpClient.newHttpClient();
    try (ScriptedRouter router = new ScriptedRouter()) {
      GatewayServer server = new GatewayServer(
          GatewayConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0)).ioThreads(1).build(),
          router, peers, new WebSocketSessions(), Clock.systemUTC(), new SimpleMeterRegistry());
      server.start();
      try {
        String base = "http://127.0.0.1:" + server.address().getPort();
        assertEquals(List.of(), server.urls());
        HttpResponse<String> health = get(http, base + "/health");
        assertEquals(503, health.statusCode());
        assertEquals("unavailable", JSON.readTree(health.body()).path("status").asText());
        HttpResponse<String> before = post(http, base + "/eip155:5");
        assertEquals(404, before.statusCode());
        assertTrue(before.body().contains("no chain yet"), before.body());

        assertEquals(Optional.empty(), server.acceptChain("eip155:5"));
        assertEquals(Optional.empty(), server.acceptChain("eip155:5"), "accepting twice is fine");
        assertEquals(List.of(base + "/eip155:5"), server.urls());
        HttpResponse<String> after = post(http, base + "/eip155:5");
        assertEquals(200, after.statusCode());
        assertEquals("0x10", JSON.readTree(after.body()).path("result").asText());
        assertEquals("eip155:5", router.received.get(0).chain());

        peers.byChain.put("eip155:5", Map.of("provider=aws,region=us-east-1,country=US,operator=op1,asn=16509", 2,
            "provider=gcp,region=unknown,country=BE,operator=op2,asn=unknown", 1));
        JsonNode ok = JSON.readTree(get(http, base + "/health").body());
        assertEquals("ok", ok.path("status").asText());
        JsonNode chain = ok.path("chains").get(0);
        assertEquals("eip155:5", chain.path("chain").asText());
        assertEquals(3, chain.path("routablePeers").asInt());
        assertEquals(2, chain.path("routablePeersByDomain")
            .path("provider=aws,region=us-east-1,country=US,operator=op1,asn=16509").asInt());
      } finally {
        server.close();
        http.shutdownNow();
      }
    }
  }

  @Test
  void badOrTooManyLearnedChainsAreRefusedWithTheReason() throws Exception {
    try (ScriptedRouter router = new ScriptedRouter()) {
      GatewayServer server = new GatewayServer(
          GatewayConfig.builder().chain("eip155:1").alias("eth", "eip155:1").build(),
          router, chain -> 0, new WebSocketSessions(), Clock.systemUTC());
      assertEquals(Optional.empty(), server.acceptChain("eip155:1"), "a configured chain is accepted already");
      assertTrue(server.acceptChain("eth").orElseThrow().contains("alias"));
      assertTrue(server.acceptChain("mainnet").orElseThrow().contains("not a CAIP-2 chain id"));
      assertTrue(server.acceptChain("eip155:abc").orElseThrow().contains("eip155:<decimal chain id>"));
      assertTrue(server.acceptChain("cosmos:hub-4").orElseThrow().contains("no method table"));
      for (int i = 0; i < GatewayChains.MAX_LEARNED; i++) {
        assertEquals(Optional.empty(), server.acceptChain("eip155:" + (1000 + i)));
      }
      assertTrue(server.acceptChain("eip155:99999").orElseThrow().contains("already learned 64 chains"));
      assertEquals(Optional.empty(), server.acceptChain("eip155:1000"), "known ones stay accepted");
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }
}
