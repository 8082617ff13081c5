package io.disjoint.relay.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.host.HostConfig;
import io.disjoint.p2p.host.Libp2pHost;
import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.directory.InMemoryPeerDirectory;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.protocol.Libp2pRelay;
import io.disjoint.relay.protocol.RelayService;
import io.disjoint.relay.protocol.StakingGatewayPayment;
import io.disjoint.relay.protocol.StakingServingPayment;
import io.disjoint.relay.select.DiversityRouter;
import io.disjoint.relay.select.InMemoryEvidenceLog;
import io.disjoint.relay.select.RouterConfig;
import io.disjoint.relay.select.Scheduler;
import io.disjoint.relay.upstream.AnvilProcess;
import io.disjoint.relay.upstream.HttpUpstreamClient;
import io.disjoint.relay.upstream.UpstreamConfig;
import io.disjoint.relay.upstream.UpstreamClient;
import io.disjoint.relay.upstream.Head;
import io.disjoint.relay.select.Evidence;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.staking.codec.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.RecentReceiptIds;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.receipt.SignerDirectory;
import io.disjoint.staking.receipt.VerifierConfig;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relaying with the staking module's receipts over real libp2p hosts: the gateway signs a receipt
 * per request, each serving node verifies it, answers with a signed attestation and stores
 * receipt + attestation in its RocksDB store, exactly once per successful relay.
 */
class PaidRelayTest {
  private static final String CHAIN = "eip155:31337";
  private static final NetworkDomain NETWORK = new NetworkDomain("disjoint-test", 1);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final Clock clock = Clock.systemUTC();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
  private final List<Libp2pHost> hosts = new ArrayList<>();
  private final List<ReceiptStore> stores = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private AnvilProcess anvil;
  private Libp2pHost gateway;
  private ReceiptSigner signer;
  private InMemoryPeerDirectory directory;
  private final AtomicBoolean tamper = new AtomicBoolean();

  /** Rewrites every block hash in the upstream's answers while {@code on} is set. */
  private static final class TamperingUpstream implements UpstreamClient {
    private final UpstreamClient inner;
    private final AtomicBoolean on;

    TamperingUpstream(UpstreamClient inner, AtomicBoolean on) {
      this.inner = inner;
      this.on = on;
    }

    @Override
    public CompletableFuture<byte[]> send(byte[] requestJson, Duration timeout) {
      return inner.send(requestJson, timeout).thenApply(body -> on.get()
          ? new String(body, StandardCharsets.UTF_8).replaceAll("\"hash\":\"0x[0-9a-f]{64}\"", "\"hash\":\"0x" + "66".repeat(32) + "\"")
              .getBytes(StandardCharsets.UTF_8)
          : body);
    }

    @Override
    public Head head() {
      return inner.head();
    }

    @Override
    public void close() {}
  }

  private Libp2pHost startHost() {
    Libp2pHost host = new Libp2pHost(PrivKey.generate(KeyType.ED25519, new SecureRandom()),
        HostConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
    host.start().orTimeout(10, TimeUnit.SECONDS).join();
    hosts.add(host);
    return host;
  }

  @BeforeEach
  void start() throws Exception {
    anvil = AnvilProcess.start();
    gateway = startHost();
    signer = new ReceiptSigner(gateway.privKey(), NETWORK, Account.named("payer"), EpochSchedule.HOURLY, clock, new SecureRandom());
    SignerDirectory signers = (payer, key, now) ->
        key.equals(signer.signerKey()) ? SignerDirectory.SignerStatus.ACTIVE : SignerDirectory.SignerStatus.UNKNOWN;
    directory = new InMemoryPeerDirectory(clock);
    List<FailureDomain> domains = List.of(FailureDomain.parse("provider=aws"), FailureDomain.parse("provider=gcp"),
        FailureDomain.parse("provider=hetzner"));
    for (int i = 0; i < domains.size(); i++) {
      Libp2pHost node = startHost();
      ReceiptStore store = ReceiptStore.open(dir.resolve("node" + i), NETWORK.networkId(), StoreConfig.DEFAULTS);
      stores.add(store);
      ReceiptVerifier verifier = new ReceiptVerifier(VerifierConfig.defaults(NETWORK, EpochSchedule.HOURLY), node.peerId(),
          signers, new RecentReceiptIds(store::contains, clock, 120_000), store::unvoucheredValue, clock);
      HttpUpstreamClient http = HttpUpstreamClient.start(UpstreamConfig.of(anvil.httpUrl()), clock);
      closeables.add(http);
      // The last node can be told to lie about block contents (a tampering operator).
      UpstreamClient upstream = i == domains.size() - 1 ? new TamperingUpstream(http, tamper) : http;
      RelayService service = new RelayService(Map.of(CHAIN, upstream),
          new StakingServingPayment(verifier, new AttestationSigner(node.privKey(), NETWORK), store, true), blocking, clock);
      Libp2pRelay.serve(node, service);
      gateway.dial(node.listenAddrs().get(0).withPeerId(node.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
      // Static configuration instead of hellos: the directory works from either.
      directory.putStatic(node.peerId().toBase58(), domains.get(i), Set.of(CHAIN));
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    for (Libp2pHost h : hosts) {
      h.stop().orTimeout(10, TimeUnit.SECONDS).join();
    }
    for (ReceiptStore s : stores) {
      s.close();
    }
    scheduler.shutdownNow();
    blocking.shutdownNow();
    if (anvil != null) {
      anvil.close();
    }
  }

  private final InMemoryEvidenceLog evidence = new InMemoryEvidenceLog();

  private DiversityRouter router(GatewayPayment payment) {
    return new DiversityRouter(directory, Libp2pRelay.transport(gateway, clock), payment, evidence,
        RouterConfig.builder().hedging(false).build(), clock, Scheduler.of(scheduler), new Random(3), blocking);
  }

  private RouteRequest blockNumber() throws Exception {
    ObjectNode req = (ObjectNode) JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}");
    return new RouteRequest(CHAIN, "eth_blockNumber", req, new MethodRule("eth_blockNumber", true, 10, MethodRule.Routing.ANY, 1),
        Instant.now().plusSeconds(10), Optional.empty());
  }

  private long storedReceipts() {
    AtomicInteger n = new AtomicInteger();
    stores.forEach(s -> s.forEachReceipt(r -> n.incrementAndGet()));
    return n.get();
  }

  @Test
  void everySuccessfulRelayLeavesExactlyOneStoredReceiptAndAVerifiableAttestation() throws Exception {
    List<byte[][]> seen = new CopyOnWriteArrayList<>();
    GatewayPayment staking = new StakingGatewayPayment(signer, BigInteger.valueOf(1_000));
    GatewayPayment recording = new GatewayPayment() {
      @Override
      public byte[] receiptFor(String peer, String chain, byte[] payload, int cu) {
        return staking.receiptFor(peer, chain, payload, cu);
      }

      @Override
      public void onAttestation(String peer, byte[] receipt, byte[] attestation) {
        seen.add(new byte[][] {receipt, attestation});
      }
    };
    DiversityRouter router = router(recording);
    int n = 60;
    for (int i = 0; i < n; i++) {
      assertEquals("0x0", router.route(blockNumber()).get(10, TimeUnit.SECONDS).path("result").asText());
    }
    assertEquals(n, storedReceipts());
    assertEquals(n, seen.size());
    for (byte[][] pair : seen) {
      PaymentReceipt receipt = ReceiptVerifier.decode(pair[0]);
      ReceiptVerifier.checkAttestation(receipt, ResponseAttestation.decode(pair[1]));
      assertEquals(BigInteger.valueOf(10_000), receipt.value());
    }
    assertTrue(stores.stream().allMatch(s -> {
      AtomicInteger k = new AtomicInteger();
      s.forEachReceipt(r -> k.incrementAndGet());
      return k.get() > 0;
    }), "every domain served and was paid");
  }

  @Test
  void relayWithoutReceiptIsRefusedAndStoresNothing() throws Exception {
    DiversityRouter router = router(GatewayPayment.NONE);
    CompletionException e = assertThrows(CompletionException.class, () -> router.route(blockNumber()).join());
    RouteException re = assertInstanceOf(RouteException.class, e.getCause());
    assertTrue(re.getMessage().contains("RECEIPT_REJECTED"), re.getMessage());
    assertEquals(0, storedReceipts());
  }

  @Test
  void tamperedAnswerIsOutvotedAndItsSignedAttestationKeptAsEvidence() throws Exception {
    tamper.set(true);
    DiversityRouter router = router(new StakingGatewayPayment(signer, BigInteger.ONE));
    ObjectNode req = (ObjectNode) JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x0\",false]}");
    RouteRequest quorum = new RouteRequest(CHAIN, "eth_getBlockByNumber", req,
        new MethodRule("eth_getBlockByNumber", true, 20, MethodRule.Routing.ANY, 3), Instant.now().plusSeconds(10), Optional.empty());
    ObjectNode answer = router.route(quorum).get(10, TimeUnit.SECONDS);
    String honestHash = answer.path("result").path("hash").asText();
    assertTrue(honestHash.matches("0x[0-9a-f]{64}") && !honestHash.equals("0x" + "66".repeat(32)), honestHash);

    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (evidence.all().isEmpty() && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertEquals(1, evidence.all().size());
    Evidence e = evidence.all().get(0);
    Libp2pHost tamperer = hosts.get(hosts.size() - 1);
    assertEquals(tamperer.peerId().toBase58(), e.dissenter());
    // The kept attestation is the tamperer's own signature over the lie: attributable, slashable.
    ResponseAttestation signed = ResponseAttestation.decode(e.dissentingAttestation());
    assertEquals(Sha256.hash(e.dissentingPayload()), signed.responseHash());
    assertEquals(tamperer.peerId(), PubKey.unmarshal(signed.signerKey().toArrayUnsafe()).peerId());
    assertTrue(PubKey.unmarshal(signed.signerKey().toArrayUnsafe()).verify(signed.signingBytes(), signed.signature().toArrayUnsafe()));
    assertEquals(3, storedReceipts(), "all three participants were paid for answering");
  }
}
