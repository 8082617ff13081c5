package io.disjoint.testnet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.node.DataDir;
import io.disjoint.node.config.DomainClaim;
import io.disjoint.node.receipts.ReceiptsReport;
import io.disjoint.testnet.Fixture;
import io.disjoint.testnet.LocalTestnet;
import io.disjoint.testnet.proc.MetricsScrape;
import io.disjoint.testnet.proc.RepoPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real dApp clients (viem, ethers from npm) against a gateway in front of six serving node
 * processes in three providers, two countries and three operators, all on one real anvil; then a
 * differential check against anvil directly, and the receipts the serving nodes kept.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DappClientsE2ETest {
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(150);
  @TempDir static Path dir;
  static RepoPaths repo;
  static LocalTestnet net;

  @BeforeAll
  static void startTestnet() {
    repo = Fixture.require();
    net = LocalTestnet.builder(dir.resolve("net")).progress(line -> System.out.println("testnet: " + line)).start();
    assertTrue(net.layout().distinct(DomainClaim::provider) >= 3);
    assertTrue(net.layout().distinct(DomainClaim::country) >= 2);
    assertTrue(net.layout().distinct(DomainClaim::operator) >= 3);
    assertTrue(net.servingNodes().size() >= 5);
  }

  @AfterAll
  static void stopTestnet() {
    if (net != null) {
      net.close();
    }
  }

  @Test
  @Order(1)
  void viemDappRunsEveryStepThroughTheGateway() throws Exception {
    NodeScript.Result r = NodeScript.run(repo.fixtureDir(), dir, SCRIPT_TIMEOUT, "dapp-viem.mjs",
        "--http", net.gatewayHttp().toString(), "--ws", net.gatewayWs().toString());
    assertEquals(0, r.exitCode(), r::toString);
    assertTrue(r.stdout().contains("\"step\":\"newHeads\"") && !r.stdout().contains("\"ok\":false"), r::toString);
  }

  @Test
  @Order(2)
  void ethersDappRunsEveryStepThroughTheGateway() throws Exception {
    NodeScript.Result r = NodeScript.run(repo.fixtureDir(), dir, SCRIPT_TIMEOUT, "dapp-ethers.mjs",
        "--http", net.gatewayHttp().toString(), "--ws", net.gatewayWs().toString());
    assertEquals(0, r.exitCode(), r::toString);
    assertTrue(r.stdout().contains("\"step\":\"newHeads\"") && !r.stdout().contains("\"ok\":false"), r::toString);
  }

  @Test
  @Order(3)
  void twoHundredRequestsAnswerExactlyAsAnvilDirectly() throws Exception {
    NodeScript.Result r = NodeScript.run(repo.fixtureDir(), dir, SCRIPT_TIMEOUT, "differential.mjs",
        "--a", net.gatewayHttp().toString(), "--b", net.anvil().httpUrl().toString(), "--count", "200");
    assertEquals(0, r.exitCode(), r::toString);
  }

  @Test
  @Order(4)
  void storedReceiptsEqualSuccessfulRelays() throws Exception {
    // Serving nodes answer first and store the verified receipt right after (one group commit
    // later), so read both counts until they settle rather than racing the last fsync.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
    double okRelays;
    long stored;
    do {
      okRelays = MetricsScrape.sum(MetricsScrape.fetch(net.gateway().metricsUrl()),
          "disjoint_gateway_relays_total", "status=\"OK\"").orElse(-1);
      stored = 0;
      for (LocalTestnet.Member m : net.servingNodes()) {
        stored += ReceiptsReport.read(new DataDir(m.dataDir())).receiptCount();
      }
      if (stored == (long) okRelays) {
        break;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    assertTrue(okRelays > 200, "the scripts above relayed through the gateway: " + okRelays);
    assertEquals((long) okRelays, stored,
        "every successful relay left exactly one receipt on the serving node that answered it");
  }
}
