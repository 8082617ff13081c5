package io.disjoint.node;

import io.disjoint.node.config.NodeConfig;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code disjoint run} does: start the node, print one {@code listening <multiaddr>/p2p/<id>}
 * line per listen address and one {@code gateway <url>} line per gateway chain on stdout, also later
 * for each chain the gateway learns from its peers (logs go
 * to stderr, never between these lines), then serve until SIGTERM/SIGINT, stop cleanly and
 * return exit code 0.
 */
public final class NodeRunner {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRunner.class);

  private NodeRunner() {}

  public static int run(NodeConfig config, PrintStream out) throws InterruptedException {
    ShutdownSignals signals = ShutdownSignals.install();
    DisjointNode node = DisjointNode.start(config);
    Thread safetyNet = new Thread(node::close, "disjoint-node-stop");
    Runtime.getRuntime().addShutdownHook(safetyNet);
    try {
      synchronized (out) {
        for (String addr : node.listenAddresses()) {
          out.println("listening " + addr);
        }
        // Chains learned later from peers' hellos are printed when the gateway first accepts them.
        for (String url : node.subscribeGatewayUrls(url -> printGateway(out, url))) {
          out.println("gateway " + url);
        }
        out.flush();
      }
      String why = signals.await();
      LOG.info("{} received, stopping", why);
    } finally {
      node.close();
      try {
        Runtime.getRuntime().removeShutdownHook(safetyNet);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down; the hook's close() is a no-op after ours
      }
    }
    LOG.info("stopped");
    return 0;
  }

  private static void printGateway(PrintStream out, String url) {
    synchronized (out) {
      out.println("gateway " + url);
      out.flush();
    }
  }
}
