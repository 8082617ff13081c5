package io.disjoint.node.gateway;

import io.disjoint.node.NodeException;
import io.disjoint.node.config.HostPort;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.host.Libp2pHost;
import io.disjoint.relay.directory.InMemoryPeerDirectory;
import io.disjoint.relay.gateway.GatewayConfig;
import io.disjoint.relay.gateway.GatewayEventLoops;
import io.disjoint.relay.gateway.GatewayServer;
import io.disjoint.relay.gateway.RoutablePeerCount;
import io.disjoint.relay.gateway.WebSocketSessions;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.protocol.PooledRelayTransport;
import io.disjoint.relay.protocol.Libp2pRelay;
import io.disjoint.relay.select.DiversityRouter;
import io.disjoint.relay.select.EvidenceLog;
import io.disjoint.relay.select.RouterConfig;
import io.disjoint.relay.select.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The gateway of a node: the JSON-RPC server on --gateway, the diversity router over the peer
 * directory, pooled relay streams to the chosen peers over the libp2p host, and the chains it
 * accepts kept in step with what peers advertise in their hellos ({@link RoutableChains}).
 */
public final class GatewayWiring implements AutoCloseable {
  private final GatewayServer server;
  private final PooledRelayTransport transport;
  private final RoutableChains chains;
  private final InMemoryPeerDirectory directory;
  private final Consumer<String> onDirectoryChange;

  private GatewayWiring(GatewayServer server, PooledRelayTransport transport, RoutableChains chains,
      InMemoryPeerDirectory directory) {
    this.server = server;
    this.transport = transport;
    this.chains = chains;
    this.directory = directory;
    this.onDirectoryChange = peer -> chains.changed();
  }

  /**
   * @param blocking where evidence is written and receipts are signed (virtual threads are fine)
   */
  public static GatewayWiring start(NodeConfig config, Host host, InMemoryPeerDirectory directory, GatewayPayment payment,
      EvidenceLog evidence, MeterRegistry metrics, ScheduledExecutorService timers, ExecutorService blocking,
      Clock clock) {
    HostPort where = config.gateway().orElseThrow();
    PooledRelayTransport transport = Libp2pRelay.transport(host, clock);
    WebSocketSessions sessions = new WebSocketSessions();
    DiversityRouter router = DiversityRouter.builder(directory, new CountingRelayTransport(transport, metrics))
        .payment(payment)
        .evidence(evidence)
        .config(RouterConfig.builder().hedgeBudget(config.hedgeBudgetPercent() / 100).build())
        .clock(clock)
        .scheduler(Scheduler.onCallingEventLoop(Scheduler.of(timers)))
        .random(new Random(new SecureRandom().nextLong()))
        .blockingExecutor(blocking)
        .subscriptionSink(sessions)
        .meterRegistry(metrics)
        .build();
    GatewayConfig.Builder gc = GatewayConfig.builder()
        .listen(new InetSocketAddress(where.host(), where.port()))
        .methodProfile(config.methodProfile());
    config.gatewayChains().forEach(gc::chain);
    GatewayServer server;
    try {
      GatewayServer created = new GatewayServer(gc.build(), router, peerCount(router), sessions, clock);
      server = host instanceof Libp2pHost libp2p ? created.start(besideRelayStreams(libp2p, transport)) : created.start();
    } catch (IllegalArgumentException e) {
      throw new NodeException("--gateway " + where + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeException("interrupted while starting the gateway", e);
    } catch (RuntimeException e) {
      throw new NodeException("--gateway " + where + " cannot listen: " + e.getMessage(), e);
    }
    String urlPrefix = server.url(""); // fixed once bound; valid after close too
    RoutableChains chains = new RoutableChains(config.gatewayChains(), directory::chains, server::acceptChain,
        chain -> urlPrefix + chain, timers);
    GatewayWiring wiring = new GatewayWiring(server, transport, chains, directory);
    directory.addListener(wiring.onDirectoryChange);
    chains.changed(); // peers that said hello before the gateway started
    return wiring;
  }

  private static RoutablePeerCount peerCount(DiversityRouter router) {
    return new RoutablePeerCount() {
      @Override
      public int routablePeers(String chain) {
        return router.routablePeers(chain);
      }

      @Override
      public Map<String, Integer> routablePeersByDomain(String chain) {
        return router.routablePeersByDomain(chain);
      }
    };
  }

  /**
   * The gateway's connections run on the libp2p host's event loops, each placed on a loop that
   * carries relay streams (in turn, when several do): a request is then parsed, relayed, answered
   * and written back on one thread. Before the first relay stream opens, connections go round
   * robin over the host's loops.
   */
  static GatewayEventLoops besideRelayStreams(Libp2pHost host, PooledRelayTransport transport) {
    EventLoopGroup group = host.ioGroup();
    AtomicInteger turn = new AtomicInteger();
    return new GatewayEventLoops(group, () -> {
      List<EventLoop> relaying = transport.streamLoops();
      return relaying.isEmpty() ? group.next() : relaying.get(Math.floorMod(turn.getAndIncrement(), relaying.size()));
    });
  }

  /** The relay streams of a peer that went away are useless; the next request opens new ones. */
  public void forget(String peerId) {
    transport.forget(peerId);
  }

  /** {@code http://HOST:PORT/<chain>} for each chain the gateway accepts now. */
  public List<String> urls() {
    return chains.urls();
  }

  /**
   * The URLs accepted so far; {@code listener} then gets each chain's URL when the gateway first
   * accepts it (learned from a peer's hello), exactly once, on the node's timer thread.
   */
  public List<String> subscribeUrls(Consumer<String> listener) {
    return chains.subscribe(listener);
  }

  @Override
  public void close() {
    directory.removeListener(onDirectoryChange);
    server.close();
  }
}
