package io.disjoint.testnet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.testnet.LocalTestnet;
import io.disjoint.testnet.layout.LayoutNode;
import io.disjoint.testnet.proc.AnvilLauncher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A byzantine node: its upstream returns tampered eth_getBalance results, and it answers fastest,
 * so a latency-ranking router picks it first. With the strict method profile the gateway asks two
 * peers in disjoint failure domains; the liar must be outvoted (a tie-breaker from a third domain),
 * clients must only ever see the true balance, and the liar's signed answer must be kept as evidence.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TamperDrillE2ETest extends DrillSupport {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aTamperingNodeIsOutvotedOnQuorumReadsAndItsSignedAnswerKept() throws Exception {
    String tamperer = fiveNodes().nodes().get(1).name();
    LayoutNode tampererLayout = fiveNodes().nodes().get(1);
    AnvilLauncher anvils = AnvilLauncher.fromFixture(repo);
    AnvilLauncher.Anvil anvil = closeLater(anvils.start(AnvilLauncher.Options.defaults(), dir.resolve("anvil.log")));
    UpstreamProxy liar = closeLater(new UpstreamProxy(anvil.httpUrl(), UpstreamProxy.Behaviour.TAMPER,
        Set.of("eth_getBalance")));
    LocalTestnet.Builder builder = testnet("tamper").existingAnvil(anvil).methodProfile("strict")
        .upstream(tamperer, liar.url());
    // Every other node reaches anvil through an honest proxy that adds 15 ms, so the liar answers
    // fastest: the most attractive peer to a latency-ranking router, as a real liar would make itself.
    for (LayoutNode n : fiveNodes().nodes()) {
      if (!n.name().equals(tamperer)) {
        builder.upstream(n.name(), closeLater(new UpstreamProxy(anvil.httpUrl(), UpstreamProxy.Behaviour.PASS, Set.of(),
            Duration.ofMillis(15))).url());
      }
    }
    LocalTestnet net = closeLater(builder.start());
    String truth = anvil.rpc().result("eth_getBalance", "[\"" + ACCOUNT + "\",\"latest\"]").asText();
    ClientLoad.warmUp(net.gatewayHttp(), rpc(0, "eth_blockNumber", "[]"), 20, WARM_UP);
    ClientLoad load = closeLater(new ClientLoad(net.gatewayHttp(),
        i -> rpc(i, "eth_getBalance", "[\"" + ACCOUNT + "\",\"latest\"]"),
        r -> r != null && truth.equals(r.asText()), 4, Duration.ofMillis(20), CLIENT_TIMEOUT));
    Thread.sleep(6_000);
    ClientLoad.Summary s = load.stop();
    System.out.println("tamper drill: " + s + "; tampered answers " + liar.tampered() + "; the liar's upstream saw "
        + liar.counts());
    // The router's pick is random by score, and a dissenter goes on probation: the liar is asked
    // only until it has been outvoted, so few tampered answers ever reach the gateway.
    assertEquals(0, s.failed(), () -> "a client saw an error or a tampered balance: " + s);
    assertTrue(liar.tampered() > 0, "the tamperer took part in quorum reads");
    String tampererId = net.node(tampererLayout.name()).peerId();
    Path evidence = net.gateway().dataDir().resolve("evidence").resolve("evidence.jsonl");
    assertTrue(Files.exists(evidence), "the gateway keeps evidence at " + evidence);
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(evidence, StandardCharsets.UTF_8)) {
      records.add(JSON.readTree(line));
    }
    assertFalse(records.isEmpty(), "dissent was recorded");
    assertTrue(records.size() <= liar.tampered(), () -> "evidence only for tampered answers: " + records.size()
        + " records, " + liar.tampered() + " tampered");
    for (JsonNode e : records) {
      assertEquals(tampererId, e.path("dissenter").asText(), "only the tamperer dissents: " + e);
      assertEquals("eth_getBalance", e.path("method").asText());
      assertFalse(e.path("attestation").asText().isEmpty(), "the dissenter's signed attestation is kept: " + e);
      assertFalse(e.path("majorityPeers").isEmpty());
      assertFalse(StreamSupport.stream(e.path("majorityPeers").spliterator(), false)
          .anyMatch(p -> p.asText().equals(tampererId)), "the tamperer is never in the majority: " + e);
      JsonNode kept = JSON.readTree(Base64.getDecoder().decode(e.path("payload").asText()));
      assertTrue(kept.path("result").isTextual() && !truth.equals(kept.path("result").asText()),
          "the kept payload is the tampered answer itself: " + kept);
      assertTrue(e.path("majority").asText().contains(truth), "the majority agreed on the true balance: " + e);
    }
    System.out.println("tamper drill: " + records.size() + " evidence records, every one a signed answer of the tamperer "
        + tampererId);
  }
}
