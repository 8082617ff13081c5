package io.disjoint.relay.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.host.HostConfig;
import io.disjoint.p2p.host.Libp2pHost;
import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.directory.HelloService;
import io.disjoint.relay.directory.InMemoryPeerDirectory;
import io.disjoint.relay.protocol.Libp2pRelay;
import io.disjoint.relay.protocol.PooledRelayTransport;
import io.disjoint.relay.protocol.RelayProtocol;
import io.disjoint.relay.protocol.RelayService;
import io.disjoint.relay.protocol.ServingPayment;
import io.disjoint.relay.select.DiversityRouter;
import io.disjoint.relay.upstream.AnvilProcess;
import io.disjoint.relay.upstream.HttpUpstreamClient;
import io.disjoint.relay.upstream.UpstreamConfig;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole relay path on loopback: a gateway host and three serving hosts (three failure domains)
 * over real libp2p (TCP, Noise, Yamux), signed hellos filling the gateway's directory, each
 * serving node forwarding to a real anvil through the keep-alive HTTP upstream client.
 */
class Libp2pRelayLoopbackTest {
  private static final Logger log = LoggerFactory.getLogger(Libp2pRelayLoopbackTest.class);
  private static final String CHAIN = "eip155:31337";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<FailureDomain> DOMAINS = List.of(
      FailureDomain.parse("provider=aws,region=us-east-1,country=US,operator=op1,asn=16509"),
      FailureDomain.parse("provider=gcp,region=europe-west1,country=BE,operator=op2,asn=15169"),
      FailureDomain.parse("provider=hetzner,region=fsn1,country=DE,operator=op3,asn=24940"));

  private final Clock clock = Clock.systemUTC();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<Libp2pHost> servingHosts = new ArrayList<>();
  private AnvilProcess anvil;
  private Libp2pHost gateway;
  private InMemoryPeerDirectory directory;
  private PooledRelayTransport transport;
  private DiversityRouter router;
  private HangingUpstream hanging;
  private final java.util.concurrent.atomic.AtomicBoolean hangFirstNode = new java.util.concurrent.atomic.AtomicBoolean();

  /** Never answers while {@code hang} is set: an upstream that accepted the request and hung. */
  private static final class HangingUpstream implements io.disjoint.relay.upstream.UpstreamClient {
    private final io.disjoint.relay.upstream.UpstreamClient inner;
    private final java.util.concurrent.atomic.AtomicBoolean hang;
    final java.util.concurrent.atomic.AtomicInteger hungRequests = new java.util.concurrent.atomic.AtomicInteger();

    HangingUpstream(io.disjoint.relay.upstream.UpstreamClient inner, java.util.concurrent.atomic.AtomicBoolean hang) {
      this.inner = inner;
      this.hang = hang;
    }

    @Override
    public java.util.concurrent.CompletableFuture<byte[]> send(byte[] json, Duration timeout) {
      if (hang.get()) {
        hungRequests.incrementAndGet();
        return new java.util.concurrent.CompletableFuture<>();
      }
      return inner.send(json, timeout);
    }

    @Override
    public io.disjoint.relay.upstream.Head head() {
      return inner.head();
    }

    @Override
    public void close() {}
  }

  private static Libp2pHost startHost() {
    Libp2pHost host = new Libp2pHost(PrivKey.generate(KeyType.ED25519, new SecureRandom()),
        HostConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
    host.start().orTimeout(10, TimeUnit.SECONDS).join();
    return host;
  }

  @BeforeEach
  void start() throws Exception {
    anvil = AnvilProcess.start();
    for (FailureDomain domain : DOMAINS) {
      Libp2pHost host = startHost();
      servingHosts.add(host);
      HttpUpstreamClient upstream = HttpUpstreamClient.start(
          UpstreamConfig.builder(anvil.httpUrl()).headPollInterval(Duration.ofMillis(100)).noHeadSubscription().build(), clock);
      closeables.add(upstream);
      io.disjoint.relay.upstream.UpstreamClient served = upstream;
      if (servingHosts.size() == 1) {
        hanging = new HangingUpstream(upstream, hangFirstNode);
        served = hanging;
      }
      RelayService service = new RelayService(Map.of(CHAIN, served), ServingPayment.FREE, blocking, clock);
      Libp2pRelay.serve(host, service);
      HelloService hello = new HelloService(host, new InMemoryPeerDirectory(clock), domain,
          () -> Map.of(CHAIN, service.head(CHAIN).number()), clock, scheduler, Duration.ofMillis(200));
      hello.start();
      closeables.add(hello);
    }
    gateway = startHost();
    directory = new InMemoryPeerDirectory(clock);
    HelloService gatewayHello = new HelloService(gateway, directory, FailureDomain.UNKNOWN, Map::of, clock, scheduler, Duration.ofSeconds(5));
    gatewayHello.start();
    closeables.add(gatewayHello);
    transport = Libp2pRelay.transport(gateway, clock);
    router = DiversityRouter.builder(directory, transport).clock(clock).random(new Random(1)).blockingExecutor(blocking).build();
    for (Libp2pHost host : servingHosts) {
      gateway.dial(host.listenAddrs().get(0).withPeerId(host.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
    }
    // Signed hellos tell the gateway each peer's chain, head and failure domain.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until
        && directory.peersServing(CHAIN).stream().filter(p -> p.head().known()).count() < DOMAINS.size()) {
      Thread.sleep(20);
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (gateway != null) {
      gateway.stop().orTimeout(10, TimeUnit.SECONDS).join();
    }
    for (Libp2pHost h : servingHosts) {
      h.stop().orTimeout(10, TimeUnit.SECONDS).join();
    }
    scheduler.shutdownNow();
    blocking.shutdownNow();
    if (anvil != null) {
      anvil.close();
    }
  }

  private RouteRequest request(String method, String params, int quorum) throws Exception {
    ObjectNode req = (ObjectNode) JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}");
    return new RouteRequest(CHAIN, method, req, new MethodRule(method, true, 10, MethodRule.Routing.ANY, quorum),
        Instant.now().plusSeconds(10), Optional.empty());
  }

  private String direct(String method, String params) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(anvil.httpUrl())
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body()).get("result").toString();
  }

  @Test
  void helloFillsTheDirectoryWithSignedDomainsAndHeads() {
    assertEquals(3, directory.peersServing(CHAIN).size());
    for (Libp2pHost host : servingHosts) {
      FailureDomain d = directory.domainOf(host.peerId().toBase58()).orElseThrow();
      assertEquals(DOMAINS.get(servingHosts.indexOf(host)), d);
    }
    assertTrue(directory.peersServing(CHAIN).stream().allMatch(p -> p.head().number() == 0), "anvil starts at block 0");
  }

  @Test
  void relaysMatchTheUpstreamAndReuseOneStreamPerPeer() throws Exception {
    for (String[] call : new String[][] {{"eth_chainId", "[]"}, {"eth_blockNumber", "[]"},
        {"eth_getBalance", "[\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\",\"latest\"]"},
        {"eth_getBlockByNumber", "[\"0x0\",false]"}}) {
      ObjectNode viaNetwork = router.route(request(call[0], call[1], 1)).get(10, TimeUnit.SECONDS);
      assertEquals(direct(call[0], call[1]), viaNetwork.get("result").toString(), call[0]);
    }
    ObjectNode quorum = router.route(request("eth_getBlockByNumber", "[\"0x0\",false]", 3)).get(10, TimeUnit.SECONDS);
    assertEquals(direct("eth_getBlockByNumber", "[\"0x0\",false]"), quorum.get("result").toString());

    int n = 1000;
    long[] relayed = new long[n];
    long[] directNanos = new long[n];
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest directReq = HttpRequest.newBuilder(anvil.httpUrl()).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_blockNumber\",\"params\":[]}")).build();
    RouteRequest blockNumber = request("eth_blockNumber", "[]", 1);
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      router.route(blockNumber).get(10, TimeUnit.SECONDS);
      relayed[i] = System.nanoTime() - t0;
      t0 = System.nanoTime();
      http.send(directReq, HttpResponse.BodyHandlers.ofString());
      directNanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(relayed);
    Arrays.sort(directNanos);
    log.info("eth_blockNumber over {} sequential calls: gateway->libp2p->node->anvil p50 {} us p99 {} us; "
            + "java HttpClient->anvil p50 {} us p99 {} us",
        n, relayed[n / 2] / 1000, relayed[n * 99 / 100] / 1000, directNanos[n / 2] / 1000, directNanos[n * 99 / 100] / 1000);
    for (Libp2pHost host : servingHosts) {
      assertTrue(transport.openStreams(host.peerId().toBase58()) <= 1,
          "sequential relays reuse one stream per peer, no new negotiation per request");
    }
  }

  @Test
  void killingOneDomainLosesNoRequest() throws Exception {
    router.route(request("eth_blockNumber", "[]", 1)).get(10, TimeUnit.SECONDS);
    Libp2pHost victim = servingHosts.get(0);
    victim.stop().orTimeout(10, TimeUnit.SECONDS).join();
    for (int i = 0; i < 100; i++) {
      ObjectNode r = router.route(request("eth_blockNumber", "[]", 1)).get(10, TimeUnit.SECONDS);
      assertEquals("\"0x0\"", r.get("result").toString());
    }
    // The hello-learned peer leaves the directory with its last connection.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (directory.domainOf(victim.peerId().toBase58()).isPresent() && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertTrue(directory.domainOf(victim.peerId().toBase58()).isEmpty());
    assertEquals(2, directory.peersServing(CHAIN).size());
  }

  @Test
  void garbageOnARelayStreamResetsOnlyThatStream() throws Exception {
    Libp2pHost target = servingHosts.get(1);
    router.route(request("eth_chainId", "[]", 1)).get(10, TimeUnit.SECONDS);
    Stream raw = gateway.newStream(target.peerId(), RelayProtocol.PROTOCOL_ID).orTimeout(10, TimeUnit.SECONDS).join();
    raw.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0x04, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})).sync();
    assertTrue(raw.channel().closeFuture().await(10, TimeUnit.SECONDS), "the offending stream is reset");
    assertTrue(gateway.connections().stream().anyMatch(c -> c.isOpen() && c.remotePeer().equals(target.peerId())),
        "the connection survives");
    for (int i = 0; i < 20; i++) {
      assertEquals("\"0x7a69\"", router.route(request("eth_chainId", "[]", 1)).get(10, TimeUnit.SECONDS).get("result").toString());
    }
  }

  @Test
  void hungUpstreamTriggersTheHedgeIntoAnotherDomain() throws Exception {
    hangFirstNode.set(true);
    for (int i = 0; i < 30; i++) {
      long t0 = System.nanoTime();
      ObjectNode r = router.route(request("eth_chainId", "[]", 1)).get(10, TimeUnit.SECONDS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals("\"0x7a69\"", r.get("result").toString());
      assertTrue(ms < 5_000, "answered by the hedge long before the 10 s deadline, took " + ms + " ms");
    }
    assertTrue(hanging.hungRequests.get() > 0, "some requests reached the hung node first and were hedged");
  }
}
