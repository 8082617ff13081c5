package io.disjoint.node.gateway;

import io.disjoint.node.NodeException;
import io.disjoint.node.config.HostPort;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.host.Libp2pHost;
import io.disjoint.relay.directory.PeerDirectory;
import io.disjoint.relay.gateway.GatewayConfig;
import io.disjoint.relay.gateway.GatewayEventLoops;
import io.disjoint.relay.gateway.GatewayServer;
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
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway of a node: the JSON-RPC server on --gateway, the diversity router over the peer
 * directory, and pooled relay streams to the chosen peers over the libp2p host.
 */
public final class GatewayWiring implements AutoCloseable {
  private final GatewayServer server;
  private final PooledRelayTransport transport;

  private GatewayWiring(GatewayServer server, PooledRelayTransport transport) {
    this.server = server;
    this.transport = transport;
  }

  /**
   * @param blocking where evidence is written and receipts are signed (virtual threads are fine)
   */
  public static GatewayWiring start(NodeConfig config, Host host, PeerDirectory directory, GatewayPayment payment,
      EvidenceLog evidence, MeterRegistry metrics, ScheduledExecutorService timers, ExecutorService blocking,
      Clock clock) {
    HostPort where = config.gateway().orElseThrow();
    PooledRelayTransport transport = Libp2pRelay.transport(host, clock);
    WebSocketSessions sessions = new WebSocketSessions();
    DiversityRouter router = DiversityRouter.builder(directory, new CountingRelayTransport(transport, metrics))
        .payment(payment)
        .evidence(evidence)
        .config(RouterConfig.defaults())
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
      GatewayServer created = new GatewayServer(gc.build(), router, router::routablePeers, sessions, clock);
      server = host instanceof Libp2pHost libp2p ? created.start(besideRelayStreams(libp2p, transport)) : created.start();
    } catch (IllegalArgumentException e) {
      throw new NodeException("--gateway " + where + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeException("interrupted while starting the gateway", e);
    } catch (RuntimeException e) {
      throw new NodeException("--gateway " + where + " cannot listen: " + e.getMessage(), e);
    }
    return new GatewayWiring(server, transport);
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
    return new GatewayEventLoops(group, host.ioGroupUsesEpoll(), () -> {
      List<EventLoop> relaying = transport.streamLoops();
      return relaying.isEmpty() ? group.next() : relaying.get(Math.floorMod(turn.getAndIncrement(), relaying.size()));
    });
  }

  /** The relay streams of a peer that went away are useless; the next request opens new ones. */
  public void forget(String peerId) {
    transport.forget(peerId);
  }

  public List<String> urls() {
    return server.urls();
  }

  @Override
  public void close() {
    server.close();
  }
}
