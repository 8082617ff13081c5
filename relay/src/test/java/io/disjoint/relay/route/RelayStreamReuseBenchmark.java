package io.disjoint.relay.route;

import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.host.HostConfig;
import io.disjoint.p2p.host.Libp2pHost;
import io.disjoint.relay.protocol.Libp2pRelay;
import io.disjoint.relay.protocol.PooledRelayTransport;
import io.disjoint.relay.protocol.RelayProtocol;
import io.disjoint.relay.protocol.RelayRequest;
import io.disjoint.relay.protocol.RelayService;
import io.disjoint.relay.protocol.RelayStreamClient;
import io.disjoint.relay.protocol.ServingPayment;
import io.disjoint.relay.upstream.Head;
import io.disjoint.relay.upstream.UpstreamClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Measures what stream reuse buys on the relay path: real libp2p hosts on loopback (TCP, Noise,
 * Yamux), a serving node with an instant in-memory upstream (so only the relay protocol is
 * measured), and three ways to send: a pooled pipelined stream, a fresh stream per request
 * (multistream negotiation each time), and a pooled stream with 64 requests in flight.
 *
 * <p>Run: {@code ./mvnw -q -B -o -pl relay test-compile && java -cp "relay/target/test-classes:relay/target/classes:$(cat cp.txt)" io.disjoint.relay.route.RelayStreamReuseBenchmark}
 * with cp.txt from {@code ./mvnw -q -B -o -pl relay dependency:build-classpath -Dmdep.outputFile=$PWD/cp.txt}.
 */
public final class RelayStreamReuseBenchmark {
  private static final String CHAIN = "eip155:31337";
  private static final byte[] ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10\"}".getBytes(StandardCharsets.UTF_8);

  /** An upstream that answers at once from memory. */
  static final class StaticUpstream implements UpstreamClient {
    @Override
    public CompletableFuture<byte[]> send(byte[] requestJson, Duration timeout) {
      return CompletableFuture.completedFuture(ANSWER);
    }

    @Override
    public Head head() {
      return new Head(16, "0x" + "11".repeat(32), Instant.EPOCH);
    }

    @Override
    public void close() {}
  }

  private RelayStreamReuseBenchmark() {}

  public static void main(String[] args) throws Exception {
    int sequential = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    Clock clock = Clock.systemUTC();
    Libp2pHost node = start();
    Libp2pHost gateway = start();
    try {
      Libp2pRelay.serve(node, new RelayService(Map.of(CHAIN, new StaticUpstream()), ServingPayment.FREE,
          Executors.newVirtualThreadPerTaskExecutor(), clock));
      gateway.dial(node.listenAddrs().get(0).withPeerId(node.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
      String peer = node.peerId().toBase58();
      byte[] payload = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}".getBytes(StandardCharsets.UTF_8);
      PooledRelayTransport pooled = Libp2pRelay.transport(gateway, clock);

      // Warm up JIT on both paths.
      run(sequential / 4, () -> pooled.send(peer, request(payload, clock)).join());
      run(500, () -> freshStream(gateway, node, payload, clock));

      long[] reuse = run(sequential, () -> pooled.send(peer, request(payload, clock)).join());
      report("pooled stream, sequential", reuse);
      long[] fresh = run(Math.max(1000, sequential / 10), () -> freshStream(gateway, node, payload, clock));
      report("new stream per request, sequential", fresh);

      // The same relay through the whole DiversityRouter (JSON in and out, selection, deadline).
      io.disjoint.relay.directory.InMemoryPeerDirectory directory = new io.disjoint.relay.directory.InMemoryPeerDirectory(clock);
      directory.putStatic(peer, io.disjoint.relay.directory.FailureDomain.parse("provider=aws"), java.util.Set.of(CHAIN));
      io.netty.util.HashedWheelTimer timers = new io.netty.util.HashedWheelTimer(1, TimeUnit.MILLISECONDS);
      io.disjoint.relay.select.DiversityRouter router = new io.disjoint.relay.select.DiversityRouter(directory, pooled,
          io.disjoint.relay.protocol.GatewayPayment.NONE, new io.disjoint.relay.select.InMemoryEvidenceLog(),
          io.disjoint.relay.select.RouterConfig.defaults(), clock, io.disjoint.relay.select.Scheduler.wheel(timers),
          new java.util.Random(1), Executors.newVirtualThreadPerTaskExecutor());
      com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode)
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(payload);
      MethodRule rule = new MethodRule("eth_blockNumber", true, 10, MethodRule.Routing.ANY, 1);
      Runnable routed = () -> router.route(new RouteRequest(CHAIN, "eth_blockNumber", json, rule,
          Instant.now().plusSeconds(10), java.util.Optional.empty())).join();
      run(sequential / 4, routed);
      report("DiversityRouter over the pooled stream, sequential", run(sequential, routed));
      timers.stop();

      int inFlight = 64;
      int total = sequential * 5;
      long t0 = System.nanoTime();
      List<CompletableFuture<?>> window = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        window.add(pooled.send(peer, request(payload, clock)));
        if (window.size() == inFlight) {
          window.remove(0).join();
        }
      }
      window.forEach(CompletableFuture::join);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("pooled, %d in flight: %.0f relays/s over %d streams%n", inFlight, total / seconds, pooled.openStreams(peer));
    } finally {
      gateway.stop().orTimeout(10, TimeUnit.SECONDS).join();
      node.stop().orTimeout(10, TimeUnit.SECONDS).join();
    }
    System.exit(0);
  }

  private static Libp2pHost start() {
    Libp2pHost h = new Libp2pHost(PrivKey.generate(KeyType.ED25519, new SecureRandom()),
        HostConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
    h.start().orTimeout(10, TimeUnit.SECONDS).join();
    return h;
  }

  private static RelayRequest request(byte[] payload, Clock clock) {
    return new RelayRequest(0, CHAIN, payload, clock.millis() + 10_000, new byte[0]);
  }

  private static void freshStream(Libp2pHost gateway, Libp2pHost node, byte[] payload, Clock clock) {
    Stream s = gateway.newStream(node.peerId(), RelayProtocol.PROTOCOL_ID).join();
    RelayStreamClient client = new RelayStreamClient(s.channel(), clock, ch -> s.reset());
    client.send(request(payload, clock)).join();
    s.channel().close();
  }

  private static long[] run(int n, Runnable op) {
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      op.run();
      nanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static void report(String what, long[] sorted) {
    int n = sorted.length;
    double mean = Arrays.stream(sorted).average().orElse(0);
    System.out.printf("%s: n=%d p50 %.1f us, p99 %.1f us, %.0f relays/s%n", what, n,
        sorted[n / 2] / 1e3, sorted[n * 99 / 100] / 1e3, 1e9 / mean);
  }
}
