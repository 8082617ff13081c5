package io.disjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's whole path as processes: {@code disjoint run} as a serving node and as a gateway
 * (5 s epochs), clients through the gateway, {@code disjoint stake init/deposit/bond} on a ledger
 * with the same epochs, and {@code disjoint settle --json} run as a separate process every few
 * seconds while the node process keeps running, until the epoch is rewarded. Then
 * {@code disjoint payouts} shows fees equal to the vouchered value that {@code disjoint receipts}
 * reports, the payer's escrow went down by exactly that, and one more settle pays nothing.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SettleProcessTest {
  private static final String CHAIN = "eip155:31337";
  private static final String OWNER = "0x" + "0e".repeat(20);
  private static final Pattern LISTENING = Pattern.compile("listening (/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/\\S+)");
  private static final BigInteger GWEI_PER_CU = BigInteger.valueOf(1_000_000_000L);
  private static final BigInteger TOKEN = BigInteger.TEN.pow(18);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aRunningNodeIsPaidByTheSettleCommand(@TempDir Path dir) throws Exception {
    HttpServer upstream = chainNode();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String node = dir.resolve("serving").toString();
    String gw = dir.resolve("gateway").toString();
    String ledger = dir.resolve("ledger").toString();
    try (CliProcess serving = CliProcess.start(dir, "run", "--data-dir", node, "--listen", "/ip4/127.0.0.1/tcp/0",
        "--serve", CHAIN + "=http://127.0.0.1:" + upstream.getAddress().getPort(), "--epoch-seconds", "5")) {
      String listening = serving.nextLine(Duration.ofSeconds(60));
      assertNotNull(listening, () -> "serving node printed nothing; stderr:\n" + stderrOf(serving));
      Matcher m = LISTENING.matcher(listening);
      assertTrue(m.matches(), listening);
      try (CliProcess gateway = CliProcess.start(dir, "run", "--data-dir", gw, "--listen", "/ip4/127.0.0.1/tcp/0",
          "--gateway", "127.0.0.1:0", "--route", CHAIN, "--peer", m.group(1), "--epoch-seconds", "5")) {
        assertNotNull(gateway.nextLine(Duration.ofSeconds(60)), () -> "gateway printed nothing; stderr:\n" + stderrOf(gateway));
        String line = gateway.nextLine(Duration.ofSeconds(30));
        Matcher g = Pattern.compile("gateway (http://127\\.0\\.0\\.1:\\d+/" + Pattern.quote(CHAIN) + ")").matcher(String.valueOf(line));
        assertTrue(g.matches(), String.valueOf(line));
        URI url = URI.create(g.group(1));
        int answered = 0;
        for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); answered < 150 && System.nanoTime() < until; ) {
          answered += post(http, url).contains("\"result\":\"0x2a\"") ? 1 : 0;
        }
        assertEquals(150, answered, "150 relays answered");

        ok(disjoint(dir, "stake", "init", "--ledger", ledger, "--fund", gw + "=10", "--fund", OWNER + "=2000",
            "--reward-pool", "100", "--epoch-seconds", "5", "--claim-window-seconds", "90", "--proof-window-seconds", "10"));
        ok(disjoint(dir, "stake", "deposit", "--ledger", ledger, "--data-dir", gw, "--amount", "1"));
        ok(disjoint(dir, "stake", "bond", "--ledger", ledger, "--data-dir", node, "--owner", OWNER, "--amount", "1000"));

        BigInteger paid = BigInteger.ZERO;
        List<String> seen = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(200);
        while (true) {
          JsonNode pass = JSON.readTree(ok(disjoint(dir, "settle", "--data-dir", node, "--ledger", ledger, "--json")));
          paid = paid.add(new BigInteger(pass.get("paidWei").asText()));
          boolean rewarded = true;
          for (JsonNode step : pass.get("steps")) {
            seen.add(step.get("action").asText());
            rewarded &= step.get("epoch").isNull() || step.get("action").asText().equals("rewarded");
          }
          if (rewarded && paid.signum() > 0 && paid.equals(vouchered(dir, node))) {
            break;
          }
          assertTrue(System.nanoTime() < until, "settled within 200 s: " + seen);
          Thread.sleep(4_000);
        }
        assertTrue(seen.containsAll(List.of("redeemed", "claimed", "rewarded")), seen.toString());

        JsonNode payouts = JSON.readTree(ok(disjoint(dir, "payouts", "--ledger", ledger, "--json")));
        BigInteger fees = BigInteger.ZERO;
        BigInteger rewards = BigInteger.ZERO;
        for (JsonNode p : payouts) {
          fees = fees.add(new BigInteger(p.get("feesWei").asText()));
          rewards = rewards.add(new BigInteger(p.get("rewardsWei").asText()));
        }
        JsonNode receipts = JSON.readTree(ok(disjoint(dir, "receipts", "--data-dir", node, "--json")));
        assertEquals(vouchered(dir, node), fees, "fees are the vouchered value");
        assertEquals(GWEI_PER_CU.multiply(BigInteger.valueOf(receipts.get("total").get("computeUnits").asLong())), rewards,
            "every receipt's compute units rewarded at the testnet rate");
        String escrow = ok(disjoint(dir, "stake", "deposit", "--ledger", ledger, "--data-dir", gw, "--amount", "0"));
        assertTrue(escrow.contains("escrow    " + io.disjoint.node.ledger.Tokens.format(TOKEN.subtract(fees)) + "\n"),
            "escrow went down by exactly the fees: " + escrow);

        JsonNode again = JSON.readTree(ok(disjoint(dir, "settle", "--data-dir", node, "--ledger", ledger, "--json")));
        assertEquals("0", again.get("paidWei").asText(), "a further run pays nothing: " + again);
        assertEquals(0, gateway.terminate(Duration.ofSeconds(30)));
      }
      assertEquals(0, serving.terminate(Duration.ofSeconds(30)));
    } finally {
      http.shutdownNow();
      upstream.stop(0);
    }
  }

  private static BigInteger vouchered(Path dir, String node) throws Exception {
    JsonNode rows = JSON.readTree(ok(disjoint(dir, "receipts", "--data-dir", node, "--json"))).get("rows");
    BigInteger sum = BigInteger.ZERO;
    for (JsonNode r : rows) {
      sum = sum.add(new BigInteger(r.get("voucheredValue").asText()));
    }
    return sum;
  }

  private record Finished(int code, String out, String err) {}

  private static Finished disjoint(Path dir, String... args) throws Exception {
    try (CliProcess p = CliProcess.start(dir, args)) {
      int code = p.waitFor(Duration.ofSeconds(60));
      StringBuilder out = new StringBuilder();
      // the exited process's last lines may still be on their way through the reader thread
      for (String l = p.nextLine(Duration.ofSeconds(5)); l != null; l = p.nextLine(Duration.ofMillis(300))) {
        out.append(l).append('\n');
      }
      return new Finished(code, out.toString(), p.stderr());
    }
  }

  private static String ok(Finished f) {
    assertEquals(0, f.code(), () -> "exit " + f.code() + "\nstdout:\n" + f.out() + "\nstderr:\n" + f.err());
    return f.out();
  }

  private static String stderrOf(CliProcess p) {
    try {
      return p.stderr();
    } catch (java.io.IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }

  private static String post(HttpClient http, URI url) {
    try {
      return http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_gasPrice\",\"params\":[]}"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return "failed: " + e;
    }
  }

  /** A chain node on loopback: a head block for the head tracker, "0x2a" for anything else. */
  private static HttpServer chainNode() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", ex -> {
      try (ex) {
        String req = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher id = Pattern.compile("\"id\"\\s*:\\s*(\"[^\"]*\"|\\d+|null)").matcher(req);
        String idText = id.find() ? id.group(1) : "null";
        String result = req.contains("eth_getBlockByNumber")
            ? "{\"number\":\"0x10\",\"hash\":\"0x" + "ab".repeat(32) + "\",\"parentHash\":\"0x" + "00".repeat(32)
                + "\",\"timestamp\":\"0x1\"}"
            : "\"0x2a\"";
        byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":" + idText + ",\"result\":" + result + "}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
    return server;
  }
}
