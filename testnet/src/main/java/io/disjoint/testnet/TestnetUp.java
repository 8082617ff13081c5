package io.disjoint.testnet;

import io.disjoint.node.ShutdownSignals;
import io.disjoint.testnet.layout.Layout;
import io.disjoint.testnet.proc.AnvilLauncher;
import io.disjoint.testnet.proc.RepoPaths;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code disjoint testnet up}: installs the npm fixture if needed, starts anvil, the serving
 * nodes and a gateway, prints where to point a dApp, and runs until Ctrl-C or SIGTERM, then
 * stops every process it started.
 *
 * @param layout the layout file, or empty for the default layout
 * @param nodes number of serving nodes, 0 = all of the layout
 * @param gatewayPort gateway port on 127.0.0.1, 0 = any free port
 * @param workDir where node data and logs go, or empty for .disjoint/testnet/TIMESTAMP in the checkout
 * @param blockTime anvil block interval, or empty to mine only on transactions
 */
public record TestnetUp(Optional<Path> layout, int nodes, int gatewayPort, Optional<Path> workDir,
    Optional<Duration> blockTime) {

  public TestnetUp {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(blockTime, "blockTime");
    if (nodes < 0) {
      throw new TestnetException("--nodes must be at least 1, got " + nodes);
    }
    if (gatewayPort < 0 || gatewayPort > 65_535) {
      throw new TestnetException("--gateway-port must be 0..65535, got " + gatewayPort);
    }
  }

  /** Runs until a stop signal; {@code out} gets the URLs, {@code progress} the steps. */
  public int run(PrintStream out, PrintStream progress) throws InterruptedException {
    ShutdownSignals signals = ShutdownSignals.install();
    Layout l = layout.map(Layout::load).orElseGet(Layout::defaultLayout);
    RepoPaths repo = RepoPaths.locate();
    if (!repo.fixtureInstalled()) {
      progress.println("testnet: installing the npm fixture (anvil, viem, ethers) with scripts/install-fixtures.sh ...");
      repo.installFixtures();
    }
    Path dir = workDir.orElseGet(() -> repo.root().resolve(".disjoint/testnet")
        .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
    AnvilLauncher.Options anvilOptions = AnvilLauncher.Options.defaults();
    if (blockTime.isPresent()) {
      anvilOptions = anvilOptions.withBlockTime(blockTime.get());
    }
    progress.println("testnet: data and logs in " + dir);
    LocalTestnet net = LocalTestnet.builder(dir)
        .layout(l)
        .nodes(nodes)
        .gatewayPort(gatewayPort)
        .anvil(AnvilLauncher.fromFixture(repo), anvilOptions)
        .progress(line -> progress.println("testnet: " + line))
        .start();
    Thread safetyNet = new Thread(net::close, "testnet-stop");
    Runtime.getRuntime().addShutdownHook(safetyNet);
    try {
      out.println();
      out.println("Disjoint testnet is up: " + net.servingNodes().size() + " serving nodes, "
          + l.withNodeCount(net.servingNodes().size()).distinct(d -> d.provider()) + " providers, chain " + net.chain());
      out.println("  gateway (HTTP)      " + net.gatewayHttp());
      out.println("  gateway (WebSocket) " + net.gatewayWs());
      out.println("  anvil (direct)      " + net.anvil().httpUrl());
      out.println("  logs                " + dir + "/<node>/node.log");
      out.println("Try: curl -s -H 'content-type: application/json' -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}' " + net.gatewayHttp());
      out.println("Stop with Ctrl-C (or: kill " + ProcessHandle.current().pid() + ").");
      out.flush();
      String why = signals.await();
      progress.println("testnet: " + why + " received, stopping " + (net.servingNodes().size() + 1) + " nodes and anvil");
    } finally {
      net.close();
      try {
        Runtime.getRuntime().removeShutdownHook(safetyNet);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
    progress.println("testnet: stopped");
    return 0;
  }
}
