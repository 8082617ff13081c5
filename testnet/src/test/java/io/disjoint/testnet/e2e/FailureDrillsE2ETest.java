package io.disjoint.testnet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.testnet.Fixture;
import io.disjoint.testnet.LocalTestnet;
import io.disjoint.testnet.layout.Layout;
import io.disjoint.testnet.layout.LayoutNode;
import io.disjoint.testnet.proc.AnvilLauncher;
import io.disjoint.testnet.proc.ChildProcesses;
import io.disjoint.testnet.proc.MetricsScrape;
import io.disjoint.testnet.proc.RepoPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outage drills under a steady client load, each on its own network of five serving node
 * processes in three providers (aws, gcp, hetzner) plus a gateway, all real processes on
 * loopback with real anvil upstreams.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FailureDrillsE2ETest {
  /** An anvil default dev account (funded at genesis). */
  private static final String ACCOUNT = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private RepoPaths repo;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeEach
  void fixture() {
    repo = Fixture.require();
  }

  @AfterEach
  void stopEverything() {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      try {
        cleanup.get(i).close();
      } catch (Exception e) {
        System.err.println("cleanup: " + e);
      }
    }
    assertEquals(0, ChildProcesses.liveCount(), "every process the drill started is gone");
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    cleanup.add(resource);
    return resource;
  }

  private static Layout fiveNodes() {
    return Layout.defaultLayout().withNodeCount(5);
  }

  private LocalTestnet.Builder testnet(String name) {
    return LocalTestnet.builder(dir.resolve(name)).layout(fiveNodes())
        .progress(line -> System.out.println(name + ": " + line));
  }

  private static String rpc(int id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  /** Reads no method the head tracker uses, so an upstream proxy can tell client traffic apart. */
  private static final IntFunction<String> CLIENT_READS = i -> switch (i % 3) {
    case 0 -> rpc(i, "eth_getBalance", "[\"" + ACCOUNT + "\",\"latest\"]");
    case 1 -> rpc(i, "eth_gasPrice", "[]");
    default -> rpc(i, "eth_getCode", "[\"" + ACCOUNT + "\",\"latest\"]");
  };

  private static final Set<String> CLIENT_METHODS = Set.of("eth_getBalance", "eth_gasPrice", "eth_getCode");
  private static final Predicate<JsonNode> ANY_RESULT = r -> r != null && !r.isNull();

  private static double okRelays(LocalTestnet net) throws Exception {
    return MetricsScrape.sum(MetricsScrape.fetch(net.gateway().metricsUrl()), "disjoint_gateway_relays_total",
        "status=\"OK\"").orElse(0);
  }

  @Test
  void killingEveryNodeOfOneProviderFailsNoClientRequest() throws Exception {
    LocalTestnet net = closeLater(testnet("outage").start());
    List<String> awsNodes = net.servingNodes().stream()
        .filter(m -> m.layout().domain().provider().equals("aws")).map(LocalTestnet.Member::name).toList();
    assertEquals(2, awsNodes.size(), "the layout puts two of five nodes in aws");
    IntFunction<String> mixed = i -> switch (i % 4) {
      case 0 -> rpc(i, "eth_blockNumber", "[]");
      case 1 -> rpc(i, "eth_getBalance", "[\"" + ACCOUNT + "\",\"latest\"]");
      case 2 -> rpc(i, "eth_getBlockByNumber", "[\"0x0\",false]");
      default -> rpc(i, "eth_getTransactionCount", "[\"" + ACCOUNT + "\",\"latest\"]");
    };
    ClientLoad load = closeLater(new ClientLoad(net.gatewayHttp(), mixed, ANY_RESULT, 4, Duration.ofMillis(20), CLIENT_TIMEOUT));
    Thread.sleep(3_000);
    long okBeforeKill = load.ok();
    List<LocalTestnet.Member> killed = net.kill(n -> n.domain().provider().equals("aws"));
    assertEquals(awsNodes, killed.stream().map(LocalTestnet.Member::name).toList());
    killed.forEach(m -> assertFalse(m.isAlive(), m.name() + " is dead"));
    Thread.sleep(6_000);
    ClientLoad.Summary s = load.stop();
    System.out.println("outage drill: " + s);
    assertEquals(0, s.failed(), () -> "client requests failed while aws died: " + s);
    assertTrue(okBeforeKill > 50, "load ran before the kill: " + okBeforeKill);
    assertTrue(s.ok() - okBeforeKill > 100, "load kept being served after the kill: " + s);
  }

  @Test
  void aNodeWhoseUpstreamLagsFiftyBlocksGetsNoTraffic() throws Exception {
    AnvilLauncher anvils = AnvilLauncher.fromFixture(repo);
    AnvilLauncher.Anvil lagging = closeLater(anvils.start(AnvilLauncher.Options.defaults().withPremine(10),
        dir.resolve("lagging-anvil.log")));
    UpstreamProxy counting = closeLater(new UpstreamProxy(lagging.httpUrl(), UpstreamProxy.Behaviour.PASS, Set.of()));
    String laggard = fiveNodes().nodes().get(2).name();
    LocalTestnet net = closeLater(testnet("lag")
        .anvil(anvils, AnvilLauncher.Options.defaults().withPremine(60))
        .upstream(laggard, counting.url())
        .start());
    assertEquals(50, net.anvil().rpc().blockNumber() - lagging.rpc().blockNumber(), "the laggard is 50 blocks behind");
    double okBefore = okRelays(net);
    ClientLoad load = closeLater(new ClientLoad(net.gatewayHttp(), CLIENT_READS, ANY_RESULT, 4, Duration.ofMillis(20), CLIENT_TIMEOUT));
    Thread.sleep(6_000);
    ClientLoad.Summary s = load.stop();
    System.out.println("lag drill: " + s + "; laggard's upstream saw " + counting.counts());
    assertEquals(0, s.failed(), s::toString);
    assertTrue(s.ok() > 150, s::toString);
    for (String m : CLIENT_METHODS) {
      assertEquals(0, counting.count(m), "client method " + m + " reached the lagging node: " + counting.counts());
    }
    assertTrue(counting.count("eth_getBlockByNumber") + counting.count("eth_blockNumber") > 0,
        "the laggard was alive and tracking its head: " + counting.counts());
    assertTrue(okRelays(net) - okBefore >= s.ok(), "the other nodes served every request");
  }

  @Test
  void aTamperingNodeIsOutvotedOnQuorumReadsAndItsSignedAnswerKept() throws Exception {
    String tamperer = fiveNodes().nodes().get(1).name();
    LayoutNode tampererLayout = fiveNodes().nodes().get(1);
    AnvilLauncher anvils = AnvilLauncher.fromFixture(repo);
    AnvilLauncher.Anvil anvil = closeLater(anvils.start(AnvilLauncher.Options.defaults(), dir.resolve("anvil.log")));
    UpstreamProxy liar = closeLater(new UpstreamProxy(anvil.httpUrl(), UpstreamProxy.Behaviour.TAMPER,
        Set.of("eth_getBalance")));
    LocalTestnet net = closeLater(testnet("tamper")
        .existingAnvil(anvil)
        .upstream(tamperer, liar.url())
        .methodProfile("strict")
        .start());
    String truth = anvil.rpc().result("eth_getBalance", "[\"" + ACCOUNT + "\",\"latest\"]").asText();
    ClientLoad load = closeLater(new ClientLoad(net.gatewayHttp(),
        i -> rpc(i, "eth_getBalance", "[\"" + ACCOUNT + "\",\"latest\"]"),
        r -> r != null && truth.equals(r.asText()), 4, Duration.ofMillis(20), CLIENT_TIMEOUT));
    Thread.sleep(6_000);
    ClientLoad.Summary s = load.stop();
    System.out.println("tamper drill: " + s + "; tampered answers " + liar.tampered());
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
    for (JsonNode e : records) {
      assertEquals(tampererId, e.path("dissenter").asText(), "only the tamperer dissents: " + e);
      assertEquals("eth_getBalance", e.path("method").asText());
      assertFalse(e.path("attestation").asText().isEmpty(), "the dissenter's signed attestation is kept: " + e);
      assertFalse(e.path("majorityPeers").isEmpty());
    }
  }

  @Test
  void aHungUpstreamIsHedgedAroundWithinTheHedgeDelay() throws Exception {
    String hung = fiveNodes().nodes().get(2).name();
    AnvilLauncher anvils = AnvilLauncher.fromFixture(repo);
    AnvilLauncher.Anvil anvil = closeLater(anvils.start(AnvilLauncher.Options.defaults(), dir.resolve("anvil.log")));
    UpstreamProxy hanging = closeLater(new UpstreamProxy(anvil.httpUrl(), UpstreamProxy.Behaviour.HANG, CLIENT_METHODS));
    LocalTestnet net = closeLater(testnet("hang")
        .existingAnvil(anvil)
        .upstream(hung, hanging.url())
        .start());
    ClientLoad load = closeLater(new ClientLoad(net.gatewayHttp(), CLIENT_READS, ANY_RESULT, 4, Duration.ofMillis(20), CLIENT_TIMEOUT));
    Thread.sleep(6_000);
    ClientLoad.Summary s = load.stop();
    System.out.println("hang drill: " + s + "; requests held by the hung upstream: " + hanging.hung());
    assertEquals(0, s.failed(), s::toString);
    assertTrue(hanging.hung() > 0, "the hung node was chosen as primary at least once: " + hanging.counts());
    assertTrue(s.maxMicros() < 3_000_000, "every request was answered by a hedge within 3 s although the hung "
        + "upstream never answers: " + s);
  }
}
