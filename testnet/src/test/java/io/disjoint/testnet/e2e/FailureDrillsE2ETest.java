package io.disjoint.testnet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.testnet.LocalTestnet;
import io.disjoint.testnet.proc.AnvilLauncher;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Outage drills under a steady client load, each on its own network of five serving node
 * processes in three providers (aws, gcp, hetzner) plus a gateway, all real processes on
 * loopback with real anvil upstreams.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FailureDrillsE2ETest extends DrillSupport {
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
    ClientLoad.warmUp(net.gatewayHttp(), mixed.apply(1), 20, WARM_UP);
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
    assertTrue(okBeforeKill > 0, "load ran before the kill: " + okBeforeKill);
    assertTrue(s.ok() - okBeforeKill > 20, "load kept being served after the kill: " + s);

    // The provider comes back: same keys, same addresses; the gateway re-dials and they serve again.
    List<String> idsBefore = killed.stream().map(LocalTestnet.Member::peerId).toList();
    for (String name : awsNodes) {
      net.restart(name);
    }
    assertEquals(idsBefore, killed.stream().map(m -> net.node(m.name()).peerId()).toList(), "identity survives restart");
    net.awaitPeersKnown(5, Duration.ofSeconds(60));
    ClientLoad again = closeLater(new ClientLoad(net.gatewayHttp(), mixed, ANY_RESULT, 4, Duration.ofMillis(20), CLIENT_TIMEOUT));
    Thread.sleep(3_000);
    ClientLoad.Summary after = again.stop();
    assertEquals(0, after.failed(), after::toString);
    assertTrue(after.ok() > 0, after::toString);
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
    ClientLoad.warmUp(net.gatewayHttp(), rpc(0, "eth_blockNumber", "[]"), 20, WARM_UP);
    double okBefore = okRelays(net);
    ClientLoad load = closeLater(new ClientLoad(net.gatewayHttp(), CLIENT_READS, ANY_RESULT, 4, Duration.ofMillis(20), CLIENT_TIMEOUT));
    Thread.sleep(6_000);
    ClientLoad.Summary s = load.stop();
    System.out.println("lag drill: " + s + "; laggard's upstream saw " + counting.counts());
    assertEquals(0, s.failed(), s::toString);
    assertTrue(s.ok() > 30, s::toString);
    for (String m : CLIENT_METHODS) {
      assertEquals(0, counting.count(m), "client method " + m + " reached the lagging node: " + counting.counts());
    }
    assertTrue(counting.count("eth_getBlockByNumber") + counting.count("eth_blockNumber") > 0,
        "the laggard was alive and tracking its head: " + counting.counts());
    assertTrue(okRelays(net) - okBefore >= s.ok(), "the other nodes served every request");
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
    ClientLoad.warmUp(net.gatewayHttp(), rpc(0, "eth_blockNumber", "[]"), 20, WARM_UP);
    double hedgesBefore = gatewayMetric(net, "disjoint_router_hedges_total");
    ClientLoad load = closeLater(new ClientLoad(net.gatewayHttp(), CLIENT_READS, ANY_RESULT, 4, Duration.ofMillis(20), CLIENT_TIMEOUT));
    Thread.sleep(6_000);
    ClientLoad.Summary s = load.stop();
    System.out.println("hang drill: " + s + "; requests held by the hung upstream: " + hanging.hung());
    assertEquals(0, s.failed(), s::toString);
    assertTrue(hanging.hung() > 0, "the hung node was chosen as primary at least once: " + hanging.counts());
    double hedges = gatewayMetric(net, "disjoint_router_hedges_total") - hedgesBefore;
    assertTrue(hedges >= 1, "the gateway hedged around the hung node: " + hedges + " hedges");
    assertTrue(s.maxMicros() < CLIENT_TIMEOUT.toNanos() / 1000, "every request was answered although the hung "
        + "upstream never answers and no attempt is cut short before the 30 s deadline: " + s);
  }
}
