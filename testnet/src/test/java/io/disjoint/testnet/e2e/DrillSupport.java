package io.disjoint.testnet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.disjoint.testnet.Fixture;
import io.disjoint.testnet.LocalTestnet;
import io.disjoint.testnet.layout.Layout;
import io.disjoint.testnet.proc.ChildProcesses;
import io.disjoint.testnet.proc.MetricsScrape;
import io.disjoint.testnet.proc.RepoPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the drills share: a network of five serving node processes in three providers (aws, gcp,
 * hetzner) plus a gateway per test, cleanup of every process also when a test fails, and the
 * client requests of the steady load.
 */
abstract class DrillSupport {
  /** An anvil default dev account (funded at genesis). */
  static final String ACCOUNT = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
  /** No relay attempt is cut short before the gateway's 30 s deadline, so a request that found a hung
   * or dead node and still succeeded within this was saved by a hedge or a failover. */
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);
  static final Duration WARM_UP = Duration.ofSeconds(60);

  @TempDir Path dir;
  RepoPaths repo;
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

  <T extends AutoCloseable> T closeLater(T resource) {
    cleanup.add(resource);
    return resource;
  }

  static Layout fiveNodes() {
    return Layout.defaultLayout().withNodeCount(5);
  }

  LocalTestnet.Builder testnet(String name) {
    return LocalTestnet.builder(dir.resolve(name)).layout(fiveNodes())
        .progress(line -> System.out.println(name + ": " + line));
  }

  static String rpc(int id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  /** Reads no method the head tracker uses, so an upstream proxy can tell client traffic apart. */
  static final IntFunction<String> CLIENT_READS = i -> switch (i % 3) {
    case 0 -> rpc(i, "eth_getBalance", "[\"" + ACCOUNT + "\",\"latest\"]");
    case 1 -> rpc(i, "eth_gasPrice", "[]");
    default -> rpc(i, "eth_getCode", "[\"" + ACCOUNT + "\",\"latest\"]");
  };

  static final Set<String> CLIENT_METHODS = Set.of("eth_getBalance", "eth_gasPrice", "eth_getCode");
  static final Predicate<JsonNode> ANY_RESULT = r -> r != null && !r.isNull();

  /** Sum of every sample of a metric on the gateway node (0 when absent). */
  static double gatewayMetric(LocalTestnet net, String name) throws Exception {
    return MetricsScrape.sum(MetricsScrape.fetch(net.gateway().metricsUrl()), name, "").orElse(0);
  }

  static double okRelays(LocalTestnet net) throws Exception {
    return MetricsScrape.sum(MetricsScrape.fetch(net.gateway().metricsUrl()), "disjoint_gateway_relays_total",
        "status=\"OK\"").orElse(0);
  }
}
