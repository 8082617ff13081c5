package io.disjoint.node.settle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.disjoint.node.DataDir;
import io.disjoint.node.DisjointNode;
import io.disjoint.node.config.HostPort;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.node.ledger.LedgerTool;
import io.disjoint.node.payment.KeyDerivedSigners;
import io.disjoint.node.receipts.ReceiptsReport;
import io.disjoint.node.settle.SettlementStep.Action;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.staking.ledger.LedgerParams;
import io.disjoint.staking.ledger.Payout;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.store.EpochPayerTotals;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator gets paid for what {@code disjoint run} stored, in real time: a gateway and a serving
 * node as {@code disjoint run} builds them (real libp2p on loopback, receipts on, 5 s epochs on
 * both), clients' JSON-RPC through the gateway, vouchers collected by the running node over
 * "/disjoint/voucher/1.0.0", and the settlement run every two seconds beside the running node
 * (its store opened read-only) against an embedded ledger on disk with 5 s epochs, a 90 s claim
 * window and a 15 s proof window, until every epoch's claim is rewarded. The node's fees equal
 * the vouchered value and the payer's escrow went down by exactly that; rewards are the claimed
 * compute units at the ledger's rate; a further run pays nothing.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SettlementE2ETest {
  private static final String CHAIN = "eip155:31337";
  private static final int EPOCH_SECONDS = 5;
  private static final int REQUESTS = 160;
  private static final BigInteger TOKEN = BigInteger.TEN.pow(18);
  private static final Account OWNER = Account.fromHex("0x" + "0e".repeat(20));
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theNodeIsPaidTheVoucheredFeesAndTheClaimedRewardsOnce(@TempDir Path dir) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<DisjointNode> nodes = new ArrayList<>();
    try (ChainStub upstream = new ChainStub()) {
      DisjointNode serving = DisjointNode.start(NodeConfig.builder().dataDir(dir.resolve("serving"))
          .listen("/ip4/127.0.0.1/tcp/0").serve(CHAIN + "=" + upstream.url()).epochSeconds(EPOCH_SECONDS).build());
      nodes.add(serving);
      DisjointNode gateway = DisjointNode.start(NodeConfig.builder().dataDir(dir.resolve("gateway"))
          .listen("/ip4/127.0.0.1/tcp/0").gateway(HostPort.parse("127.0.0.1:0", "--gateway")).route(CHAIN)
          .peer(serving.listenAddresses().get(0)).epochSeconds(EPOCH_SECONDS).build());
      nodes.add(gateway);
      URI url = URI.create(gateway.gatewayUrls().get(0));
      await(() -> send(http, url.resolve("/health"), null).contains("\"routablePeers\":1"), 30, "the gateway routes to the node");

      relayInParallel(http, url);
      DataDir servingDir = new DataDir(dir.resolve("serving"));
      await(() -> ReceiptsReport.read(servingDir).receiptCount() == REQUESTS, 30, "one receipt per relay");

      Path ledgerDir = dir.resolve("ledger");
      Bytes gatewaySigner = Bytes.wrap(KeyFiles.load(new DataDir(dir.resolve("gateway")).keyFile()).publicKey().marshal());
      Account payer = KeyDerivedSigners.accountOf(gatewaySigner);
      LedgerParams t = LedgerTool.testnetParams(EPOCH_SECONDS, 90, 15);
      // every claim proves two leaves (threshold 0), so the proofs are always exercised
      LedgerParams params = new LedgerParams(t.domain(), t.epochs(), t.minStake(), t.unbondingMs(), t.jailMs(),
          t.escrowThawMs(), t.signerThawMs(), t.claimWindowMs(), t.proofWindowMs(), 0, t.proofProbabilityBps(), 2,
          t.rewardPerComputeUnit(), t.minSlash(), t.equivocationSlash(), t.wrongAnswerSlash(), t.reporterRewardBps(),
          t.quorumSize());
      try (LedgerTool l = LedgerTool.init(ledgerDir, Map.of(payer, TOKEN.multiply(BigInteger.TEN),
          OWNER, TOKEN.multiply(BigInteger.valueOf(2000))), TOKEN.multiply(BigInteger.valueOf(100)), params, Clock.systemUTC())) {
        l.depositFor(payer, gatewaySigner, TOKEN);
        l.bond(OWNER, serving.peerId(), TOKEN.multiply(BigInteger.valueOf(1000)));
      }

      // What an operator's cron job does: settle every few seconds while the node keeps running.
      BigInteger redeemed = BigInteger.ZERO;
      List<SettlementStep> all = new ArrayList<>();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(200);
      while (true) {
        SettleTool.Result r = SettleTool.run(servingDir, ledgerDir, OptionalLong.empty(), Clock.systemUTC());
        assertFalse(r.refused() || r.failed(), r::toString);
        redeemed = redeemed.add(r.redeemedWei());
        all.addAll(r.steps());
        if (r.steps().stream().anyMatch(s -> s.action() == Action.REDEEMED || s.action() == Action.CLAIMED
            || s.action() == Action.PROVEN)) {
          SettleTool.printTable(r, System.out); // what the operator's cron job would log
        }
        ReceiptsReport store = ReceiptsReport.read(servingDir);
        BigInteger vouchered = vouchered(store);
        boolean claimsRewarded = r.steps().stream().filter(s -> s.epoch().isPresent())
            .allMatch(s -> s.action() == Action.REWARDED);
        if (claimsRewarded && vouchered.signum() > 0 && redeemed.equals(vouchered)) {
          break;
        }
        assertTrue(System.nanoTime() < until, "settled within 200 s; steps so far: " + all);
        Thread.sleep(2_000);
      }
      for (Action seen : List.of(Action.REDEEMED, Action.CLAIMED, Action.PROVEN, Action.REWARDED)) {
        assertTrue(all.stream().anyMatch(s -> s.action() == seen), seen + " happened: " + all);
      }

      ReceiptsReport store = ReceiptsReport.read(servingDir);
      BigInteger vouchered = vouchered(store);
      try (LedgerTool l = LedgerTool.openReadOnly(ledgerDir, Clock.systemUTC())) {
        List<Payout> payouts = l.payouts(Optional.empty());
        BigInteger fees = payouts.stream().map(Payout::fees).reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger rewards = payouts.stream().map(Payout::rewards).reduce(BigInteger.ZERO, BigInteger::add);
        assertEquals(vouchered, fees, "the node's fees are the value its vouchers cover");
        assertEquals(TOKEN.subtract(vouchered), l.escrow(payer).total(), "the payer's escrow went down by exactly that");
        assertEquals(params.rewardPerComputeUnit().multiply(BigInteger.valueOf(store.computeUnits())), rewards,
            "every stored receipt's compute units were claimed and rewarded");
        assertEquals(TOKEN.multiply(BigInteger.valueOf(1000)).add(fees).add(rewards), l.balance(OWNER));
        assertTrue(payouts.stream().allMatch(p -> p.slashed().signum() == 0), payouts::toString);
      }
      assertTrue(vouchered.compareTo(store.value()) <= 0 && vouchered.signum() > 0, "vouchered " + vouchered);

      SettleTool.Result again = SettleTool.run(servingDir, ledgerDir, OptionalLong.empty(), Clock.systemUTC());
      assertEquals(BigInteger.ZERO, again.redeemedWei(), "a second run pays nothing more: " + again);
      assertTrue(again.steps().stream().allMatch(s -> s.action() == Action.ALREADY_REDEEMED
          || s.action() == Action.REWARDED), again::toString);
      try (LedgerTool l = LedgerTool.openReadOnly(ledgerDir, Clock.systemUTC())) {
        assertEquals(TOKEN.subtract(vouchered), l.escrow(payer).total(), "escrow unchanged by the second run");
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
      http.shutdownNow();
    }
  }

  /** Eight clients at once, so the receipts land within a second and one voucher covers them. */
  private static void relayInParallel(HttpClient http, URI url) throws InterruptedException {
    List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      clients.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < REQUESTS / 8; i++) {
          answers.add(send(http, url, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_gasPrice\",\"params\":[]}"));
        }
      }));
    }
    for (Thread t : clients) {
      t.join();
    }
    assertEquals(REQUESTS, answers.size());
    answers.forEach(a -> assertTrue(a.contains("\"result\":\"0x2a\""), a));
  }

  private static BigInteger vouchered(ReceiptsReport report) {
    return report.rows().stream().map(EpochPayerTotals::voucheredValue).reduce(BigInteger.ZERO, BigInteger::add);
  }

  private static String send(HttpClient http, URI url, String body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(java.time.Duration.ofSeconds(20));
      b = body == null ? b.GET() : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return "failed: " + e;
    }
  }

  private static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(50);
    }
  }

  /** A JSON-RPC chain node on a loopback socket: a fixed head for the head tracker, "0x2a" otherwise. */
  private static final class ChainStub implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    ChainStub() throws java.io.IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      server.setExecutor(executor);
      server.createContext("/", ex -> {
        try (ex) {
          JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
          String method = req.path("method").asText();
          ObjectNode resp = JSON.createObjectNode().put("jsonrpc", "2.0");
          resp.set("id", req.get("id"));
          switch (method) {
            case "eth_blockNumber" -> resp.put("result", "0x10");
            case "eth_getBlockByNumber" -> resp.putObject("result").put("number", "0x10")
                .put("hash", "0x" + "ab".repeat(32)).put("parentHash", "0x" + "00".repeat(32)).put("timestamp", "0x1");
            default -> resp.put("result", "0x2a");
          }
          byte[] out = JSON.writeValueAsBytes(resp);
          ex.getResponseHeaders().set("content-type", "application/json");
          ex.sendResponseHeaders(200, out.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(out);
          }
        }
      });
      server.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
