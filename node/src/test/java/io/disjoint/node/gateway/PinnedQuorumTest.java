package io.disjoint.node.gateway;

import static io.disjoint.node.gateway.LearnedChainsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.node.DataDir;
import io.disjoint.node.DisjointNode;
import io.disjoint.node.config.DomainClaim;
import io.disjoint.node.config.HostPort;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.relay.directory.HelloService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three serving nodes in three failure domains whose chain nodes are one block apart, behind a
 * strict gateway (eth_getBalance needs two disjoint peers to agree), all over real libp2p: reads
 * on "latest" reach every upstream pinned to one block and agree, nobody is called a liar; then
 * one node's chain node tampers and its answers are outvoted and kept as evidence at that block.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PinnedQuorumTest {
  private static final String CHAIN = "eip155:31337";
  private static final String[] DOMAINS = {
      "provider=aws,region=us-east-1,country=US,operator=op1,asn=16509",
      "provider=gcp,region=europe-west1,country=BE,operator=op2,asn=15169",
      "provider=hetzner,region=fsn1,country=DE,operator=op3,asn=24940"};
  private static final long[] HEADS = {100, 101, 101};
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void latestIsPinnedSoHonestPeersAgreeAndATampererIsOutvoted(@TempDir Path dir) throws Exception {
    List<TestChainNode> upstreams = new ArrayList<>();
    List<DisjointNode> nodes = new ArrayList<>();
    HttpClient http = HttpClient.newHttpClient();
    try {
      NodeConfig.Builder gw = NodeConfig.builder().dataDir(dir.resolve("gateway")).listen("/ip4/127.0.0.1/tcp/0")
          .gateway(HostPort.parse("127.0.0.1:0", "--gateway")).methodProfile("strict");
      for (int i = 0; i < 3; i++) {
        TestChainNode upstream = new TestChainNode(HEADS[i]);
        upstreams.add(upstream);
        DisjointNode serving = DisjointNode.start(NodeConfig.builder().dataDir(dir.resolve("serving" + i))
            .listen("/ip4/127.0.0.1/tcp/0").serve(CHAIN + "=" + upstream.url())
            .domain(DomainClaim.parse(DOMAINS[i], "--domain")).build());
        nodes.add(serving);
        gw.peer(serving.listenAddresses().get(0));
      }
      DisjointNode gateway = DisjointNode.start(gw.build());
      nodes.add(gateway);
      await(() -> !gateway.gatewayUrls().isEmpty(), "the gateway learns " + CHAIN);
      String url = gateway.gatewayUrls().get(0);
      String health = url.substring(0, url.lastIndexOf('/')) + "/health";
      await(() -> get(http, health).contains("\"routablePeers\":3"), "three routable peers");
      // The first hello may leave before a node's head tracker has polled; the next one (every
      // 5 s) carries the head, and the pin is taken from those heads.
      Thread.sleep(HelloService.DEFAULT_RESEND_INTERVAL.toMillis() + 500);

      String address = "\"0x" + "11".repeat(20) + "\"";
      Set<String> answers = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        JsonNode r = post(http, url, "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"eth_getBalance\",\"params\":["
            + address + ",\"latest\"]}");
        assertEquals(i, r.path("id").asInt());
        answers.add(r.path("result").asText(r.toString()));
      }
      assertEquals(Set.of("0x" + Long.toHexString(TestChainNode.balanceAt(100))), answers,
          "every answer is the balance at the lowest head, block 100");
      Set<String> asked = new HashSet<>();
      upstreams.forEach(u -> asked.addAll(u.balanceBlockParams));
      assertEquals(Set.of("0x64"), asked, "no upstream was asked for latest");
      Path evidence = new DataDir(dir.resolve("gateway")).evidenceLog();
      assertTrue(!Files.exists(evidence) || Files.readAllLines(evidence).isEmpty(), "no honest node was called a liar");

      upstreams.get(2).lies = true;
      for (int i = 0; i < 20; i++) {
        JsonNode r = post(http, url, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\",\"params\":["
            + address + "]}");
        assertEquals("0x" + Long.toHexString(TestChainNode.balanceAt(100)), r.path("result").asText(r.toString()),
            "the tampered balance never reaches the client");
      }
      String liar = nodes.get(2).peerId().toBase58();
      await(() -> Files.exists(evidence) && read(evidence).contains(liar), "the liar's answer is kept as evidence");
      for (String line : Files.readAllLines(evidence)) {
        JsonNode record = JSON.readTree(line);
        assertEquals(liar, record.path("dissenter").asText(), line);
        String request = new String(java.util.Base64.getDecoder().decode(record.path("request").asText()),
            java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(request.contains("\"0x64\""), "evidence is about block 0x64, not latest: " + request);
        assertFalse(request.contains("latest"), request);
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
      upstreams.forEach(TestChainNode::close);
      http.shutdownNow();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static String get(HttpClient http, String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      throw new AssertionError("GET " + url, e);
    }
  }

  private static JsonNode post(HttpClient http, String url, String body) throws Exception {
    return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }
}
