package io.disjoint.node;

import io.disjoint.node.config.NodeConfig;
import io.disjoint.node.gateway.GatewayWiring;
import io.disjoint.node.metrics.MetricsServer;
import io.disjoint.node.p2p.P2pWiring;
import io.disjoint.node.p2p.StaticPeerDialer;
import io.disjoint.node.payment.PaymentWiring;
import io.disjoint.node.payment.VoucherWiring;
import io.disjoint.node.serve.ServingWiring;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.api.HostListener;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.relay.directory.HelloService;
import io.disjoint.relay.directory.InMemoryPeerDirectory;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.select.FileEvidenceLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node daemon: key, libp2p host, serving side, hello and peer directory, gateway, static
 * peers and metrics, each started by its own wiring class and stopped in reverse order.
 */
public final class DisjointNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DisjointNode.class);

  private final NodeConfig config;
  private final PrivKey key;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Deque<AutoCloseable> stopOrder = new ArrayDeque<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("disjoint-node-timer").daemon().factory());
  private final Clock clock = Clock.systemUTC();
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
  private final InMemoryPeerDirectory directory = new InMemoryPeerDirectory(clock);
  private Host host;
  private ServingWiring serving;
  private GatewayWiring gateway;
  private volatile boolean closed;

  private DisjointNode(NodeConfig config, PrivKey key) {
    this.config = config;
    this.key = key;
  }

  /** Starts every part the config asks for; on failure stops what was started and rethrows. */
  public static DisjointNode start(NodeConfig config) {
    DataDir dataDir = new DataDir(config.dataDir());
    DisjointNode node = new DisjointNode(config, P2pWiring.loadOrCreateKey(dataDir, config.keyType()));
    try {
      node.startParts(dataDir);
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  private void startParts(DataDir dataDir) {
    DomainClaimMapping.check(config.domain());
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    host = P2pWiring.startHost(key, config);
    stopOrder.push(() -> host.stop().get(10, TimeUnit.SECONDS));
    LOG.info("node {} listening on {}", host.peerId(), host.listenAddrs());

    StaticPeerDialer dialer = new StaticPeerDialer(P2pWiring.staticPeers(config), host::dial, scheduler,
        new SecureRandom(), config.peerRedialInitial(), config.peerRedialMax());
    host.addListener(new HostListener() {
      @Override
      public void onDisconnected(Connection connection) {
        dialer.onDisconnected(connection.remotePeer());
        if (gateway != null && host.connections().stream()
            .noneMatch(c -> c.isOpen() && c.remotePeer().equals(connection.remotePeer()))) {
          gateway.forget(connection.remotePeer().toBase58());
        }
      }
    });
    stopOrder.push(dialer);
    if (!config.serve().isEmpty()) {
      startServing(dataDir);
    }
    startHello();
    if (config.gateway().isPresent()) {
      startGateway(dataDir);
    }
    dialer.start();
    config.metrics().ifPresent(where -> {
      MetricsServer server = MetricsServer.start(metrics, where);
      stopOrder.push(server);
      LOG.info("metrics at http://{}/metrics", server.address());
    });
  }

  /** Upstreams, receipt store and relay handler; vouchers collected from the receipts' gateways. */
  private void startServing(DataDir dataDir) {
    serving = ServingWiring.start(config, host, key, dataDir, blocking, clock, metrics);
    stopOrder.push(serving);
    serving.store().ifPresent(store -> stopOrder.push(new VoucherWiring.Collector(host, store,
        PaymentWiring.VOUCHER_THRESHOLD, PaymentWiring.VOUCHER_SETTLE_LAG, PaymentWiring.VOUCHER_INTERVAL,
        scheduler, blocking, clock)));
  }

  /** Our signed hello (domain claim, served chains and heads) to every peer; theirs into the directory. */
  private void startHello() {
    Gauge.builder("disjoint.directory.peers", directory, d -> d.peers().size())
        .description("peers in the directory (learned from hellos or configured)").register(metrics);
    HelloService hello = new HelloService(host, directory, DomainClaimMapping.toFailureDomain(config.domain()),
        serving == null ? Map::of : serving::heads, clock, scheduler, HelloService.DEFAULT_RESEND_INTERVAL);
    hello.start();
    stopOrder.push(hello);
  }

  /** The JSON-RPC gateway with its router, receipts it signs, vouchers it issues and its evidence log. */
  private void startGateway(DataDir dataDir) {
    GatewayPayment payment = GatewayPayment.NONE;
    if (config.receipts()) {
      payment = PaymentWiring.gateway(key, clock, config.receiptSampling(), config.epochs());
      VoucherWiring.serveGateway(host, key, blocking, clock);
    }
    FileEvidenceLog evidence = new FileEvidenceLog(dataDir.evidenceLog());
    stopOrder.push(evidence);
    gateway = GatewayWiring.start(config, host, directory, payment, evidence, metrics, scheduler, blocking, clock);
    stopOrder.push(gateway);
    LOG.info("gateway for {} at {}; it also accepts chains its peers serve", config.gatewayChains(), gateway.urls());
  }

  public PeerId peerId() {
    return key.publicKey().peerId();
  }

  /** {@code <multiaddr>/p2p/<peer id>} for each bound listen address. */
  public List<String> listenAddresses() {
    String id = peerId().toBase58();
    return host.listenAddrs().stream().map(a -> a + "/p2p/" + id).toList();
  }

  /** {@code http://HOST:PORT/<chain>} for each chain the gateway accepts now (empty without --gateway). */
  public List<String> gatewayUrls() {
    return gateway == null ? List.of() : gateway.urls();
  }

  /**
   * The gateway URLs accepted so far (empty without --gateway); {@code listener} then gets the URL
   * of each chain the gateway starts to accept later (learned from a peer's hello), exactly once.
   */
  public List<String> subscribeGatewayUrls(java.util.function.Consumer<String> listener) {
    return gateway == null ? List.of() : gateway.subscribeUrls(listener);
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /** Stops everything in reverse start order; safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!stopOrder.isEmpty()) {
      AutoCloseable part = stopOrder.pop();
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
    scheduler.shutdownNow();
    blocking.shutdownNow();
    metrics.close();
  }
}
