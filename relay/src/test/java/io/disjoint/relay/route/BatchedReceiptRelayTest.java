package io.disjoint.relay.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.disjoint.relay.protocol.RelayTransport;
import io.disjoint.relay.protocol.StakingGatewayPayment;
import io.disjoint.relay.protocol.StakingServingPayment;
import io.disjoint.relay.select.DiversityRouter;
import io.disjoint.relay.select.InMemoryEvidenceLog;
import io.disjoint.relay.select.RouterConfig;
import io.disjoint.relay.select.Scheduler;
import io.disjoint.relay.upstream.AnvilProcess;
import io.disjoint.relay.upstream.HttpUpstreamClient;
import io.disjoint.relay.upstream.UpstreamConfig;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.BatchedReceiptTracker;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.receipt.ReceiptBatcher;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.RecentReceiptIds;
import io.disjoint.staking.receipt.SignatureSampler;
import io.disjoint.staking.receipt.SignerDirectory;
import io.disjoint.staking.receipt.VerifierConfig;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import io.disjoint.staking.store.StoredReceipt;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched gateway signatures over real libp2p hosts, a real anvil upstream and RocksDB stores:
 * receipts travel unsigned, one signed batch per serving peer reaches it on a later request or
 * on its own (idle flush), and every successful relay leaves one stored receipt whose batch
 * signature and path authenticate it. A node that takes only signed receipts makes the gateway
 * fall back to signing each receipt for it; a gateway that never sends batches is refused after
 * the node's timeout.
 */
class BatchedReceiptRelayTest {
  private static final String CHAIN = "eip155:31337";
  private static final NetworkDomain NETWORK = new NetworkDomain("disjoint-test", 1);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final Clock clock = Clock.systemUTC();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
  private final ExecutorService verifyPool = Executors.newFixedThreadPool(2);
  private final List<Libp2pHost> hosts = new ArrayList<>();
  private final List<ReceiptStore> stores = new ArrayList<>();
  private final List<StakingServingPayment> payments = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final InMemoryEvidenceLog evidence = new InMemoryEvidenceLog();
  private AnvilProcess anvil;
  private Libp2pHost gateway;
  private ReceiptSigner signer;
  private InMemoryPeerDirectory directory;

  private Libp2pHost startHost() {
    Libp2pHost host = new Libp2pHost(PrivKey.generate(KeyType.ED25519, new SecureRandom()),
        HostConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
    host.start().orTimeout(10, TimeUnit.SECONDS).join();
    hosts.add(host);
    return host;
  }

  /** Starts {@code batching.length} serving nodes; a false entry takes only signed receipts. */
  private void startNodes(boolean... batching) throws Exception {
    SignerDirectory signers = (payer, key, now) ->
        key.equals(signer.signerKey()) ? SignerDirectory.SignerStatus.ACTIVE : SignerDirectory.SignerStatus.UNKNOWN;
    for (int i = 0; i < batching.length; i++) {
      Libp2pHost node = startHost();
      ReceiptStore store = ReceiptStore.open(dir.resolve("node" + i), NETWORK.networkId(), StoreConfig.DEFAULTS);
      stores.add(store);
      BatchedReceiptTracker tracker = new BatchedReceiptTracker(NETWORK, node.peerId(), clock, Duration.ofSeconds(1));
      ReceiptVerifier verifier = new ReceiptVerifier(VerifierConfig.defaults(NETWORK, EpochSchedule.HOURLY), node.peerId(),
          signers, new RecentReceiptIds(store::contains, clock, 120_000),
          payer -> store.unvoucheredValue(payer).add(tracker.pendingValue(payer)), clock);
      AttestationSigner attest = new AttestationSigner(node.privKey(), NETWORK);
      StakingServingPayment payment = batching[i]
          ? StakingServingPayment.deferred(verifier, attest, store, verifyPool, SignatureSampler.everyReceipt(), tracker)
          : StakingServingPayment.synced(verifier, attest, store);
      payments.add(payment);
      scheduler.scheduleWithFixedDelay(payment::sweepBatches, 100, 100, TimeUnit.MILLISECONDS);
      HttpUpstreamClient http = HttpUpstreamClient.start(UpstreamConfig.of(anvil.httpUrl()), clock);
      closeables.add(http);
      Libp2pRelay.serve(node, new RelayService(Map.of(CHAIN, http), payment, blocking, clock));
      gateway.dial(node.listenAddrs().get(0).withPeerId(node.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
      directory.putStatic(node.peerId().toBase58(), FailureDomain.parse("provider=p" + i), Set.of(CHAIN));
    }
  }

  @BeforeEach
  void start() throws Exception {
    anvil = AnvilProcess.start();
    gateway = startHost();
    signer = new ReceiptSigner(gateway.privKey(), NETWORK, Account.named("payer"), EpochSchedule.HOURLY, clock,
        new SecureRandom());
    directory = new InMemoryPeerDirectory(clock);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    for (Libp2pHost h : hosts) {
      h.stop().orTimeout(10, TimeUnit.SECONDS).join();
    }
    scheduler.shutdownNow();
    verifyPool.shutdown();
    verifyPool.awaitTermination(5, TimeUnit.SECONDS);
    for (ReceiptStore s : stores) {
      s.close();
    }
    blocking.shutdownNow();
    if (anvil != null) {
      anvil.close();
    }
  }

  private StakingGatewayPayment batchingPayment() {
    return new StakingGatewayPayment(new ReceiptBatcher(signer, 16, Duration.ofMillis(20), clock), BigInteger.valueOf(1_000),
        64, new Random(5), scheduler);
  }

  private DiversityRouter router(GatewayPayment payment) {
    return new DiversityRouter(directory, Libp2pRelay.transport(gateway, clock), payment, evidence,
        RouterConfig.builder().hedging(false).build(), clock, Scheduler.of(scheduler), new Random(3), blocking);
  }

  private RouteRequest blockNumber() throws Exception {
    ObjectNode req = (ObjectNode) JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}");
    return new RouteRequest(CHAIN, "eth_blockNumber", req, new MethodRule("eth_blockNumber", true, 10, MethodRule.Routing.ANY, 1),
        Instant.now().plusSeconds(10), Optional.empty());
  }

  private List<StoredReceipt> stored(ReceiptStore s) {
    List<StoredReceipt> out = new ArrayList<>();
    s.forEachReceipt(out::add);
    return out;
  }

  private int storedReceipts() {
    return stores.stream().mapToInt(s -> stored(s).size()).sum();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void everyRelayIsStoredOnceUnderASignedBatchIncludingTheLastOnesFlushedWhileIdle() throws Exception {
    startNodes(true, true);
    StakingGatewayPayment payment = batchingPayment();
    DiversityRouter router = router(payment);
    int n = 100;
    for (int i = 0; i < n; i++) {
      assertEquals("0x0", router.route(blockNumber()).get(10, TimeUnit.SECONDS).path("result").asText());
    }
    // No more requests: the last batches reach the nodes only through the idle flush.
    await(() -> storedReceipts() == n, n + " stored receipts (have " + storedReceipts() + ")");
    Thread.sleep(1_200);
    assertEquals(n, storedReceipts(), "exactly one receipt per relay, none dropped past the node's 1 s timeout");
    assertTrue(payment.batchesFlushed() > 0, "some batch went out on its own");
    for (ReceiptStore s : stores) {
      for (StoredReceipt r : stored(s)) {
        assertFalse(r.receipt().isSigned(), "no per-receipt signature on the relay path");
        assertTrue(s.membership(r).orElseThrow().authenticates(r.receipt()), "its batch signs for it");
      }
    }
    long batches = payments.stream().mapToLong(StakingServingPayment::batchesAccepted).sum();
    assertTrue(batches >= n / 16 && batches < n, "one signature per batch, not per receipt: " + batches);
    assertEquals(0, payments.stream().mapToLong(StakingServingPayment::batchFaults).sum());
    assertEquals(n, payments.stream().mapToLong(StakingServingPayment::storedBatched).sum());
  }

  @Test
  void aNodeThatTakesOnlySignedReceiptsGetsThemAfterItsFirstRefusal() throws Exception {
    startNodes(false);
    StakingGatewayPayment payment = batchingPayment();
    DiversityRouter router = router(payment);
    int answered = 0;
    for (int i = 0; i < 10; i++) {
      try {
        router.route(blockNumber()).get(10, TimeUnit.SECONDS);
        answered++;
      } catch (java.util.concurrent.ExecutionException e) {
        assertTrue(e.getCause().getMessage().contains("unsigned receipt"), e.getCause().getMessage());
      }
    }
    assertTrue(answered >= 9, "at most the first relay is refused: " + answered);
    Thread.sleep(100);
    assertEquals(0, payment.batchesFlushed(), "no batch-only request to a node that takes only signed receipts"
        + " (an older node would reset the stream on one)");
    assertEquals(answered, storedReceipts());
    assertTrue(stored(stores.get(0)).stream().allMatch(r -> r.receipt().isSigned()));
  }

  @Test
  void aGatewayThatNeverSendsItsBatchesIsRefusedAfterTheTimeout() throws Exception {
    startNodes(true);
    StakingGatewayPayment real = batchingPayment();
    GatewayPayment withholding = new GatewayPayment() {
      @Override
      public byte[] receiptFor(String peer, String chain, byte[] payload, int cu) {
        return real.receiptFor(peer, chain, payload, cu);
      }

      @Override
      public void useTransport(RelayTransport transport) {
        // never flushes, and receiptBatchFor (default) attaches nothing
      }
    };
    DiversityRouter router = router(withholding);
    for (int i = 0; i < 5; i++) {
      router.route(blockNumber()).get(10, TimeUnit.SECONDS);
    }
    await(() -> payments.get(0).batchFaults() > 0, "the node to refuse the gateway");
    java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> router.route(blockNumber()).get(10, TimeUnit.SECONDS));
    assertTrue(refused.getCause().getMessage().contains("RECEIPT_REJECTED"), refused.getCause().getMessage());
    assertEquals(0, storedReceipts(), "unbatched receipts are never stored");
  }
}
