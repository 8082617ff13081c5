package io.disjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code disjoint run} processes: a serving node and a gateway that names no chain at all
 * (no --serve, no --route). The gateway prints {@code gateway <url>/<chain>} once the serving
 * node's hello arrives and relays to it; after the serving node is stopped it answers with a
 * JSON-RPC error saying no peer serves the chain, and prints nothing more on stdout.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class GatewayLearnsChainsProcessTest {
  private static final String CHAIN = "eip155:31337";
  private static final Pattern LISTENING = Pattern.compile("listening (/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/\\S+)");

  @Test
  void aGatewayWithoutRoutePrintsTheChainsItsPeersServe(@TempDir Path dir) throws Exception {
    HttpServer upstream = chainNode();
    HttpClient http = HttpClient.newHttpClient();
    try (CliProcess serving = CliProcess.start(dir, "run", "--data-dir", dir.resolve("serving").toString(),
        "--listen", "/ip4/127.0.0.1/tcp/0", "--serve", CHAIN + "=http://127.0.0.1:" + upstream.getAddress().getPort(),
        "--domain", "provider=aws,country=US,operator=op1")) {
      String listening = serving.nextLine(Duration.ofSeconds(60));
      assertNotNull(listening, () -> "serving node printed nothing; stderr:\n" + stderrOf(serving));
      Matcher m = LISTENING.matcher(listening);
      assertTrue(m.matches(), listening);
      try (CliProcess gateway = CliProcess.start(dir, "run", "--data-dir", dir.resolve("gateway").toString(),
          "--listen", "/ip4/127.0.0.1/tcp/0", "--gateway", "127.0.0.1:0", "--peer", m.group(1))) {
        String first = gateway.nextLine(Duration.ofSeconds(60));
        assertNotNull(first, () -> "gateway printed nothing; stderr:\n" + stderrOf(gateway));
        assertTrue(LISTENING.matcher(first).matches(), first);
        String learned = gateway.nextLine(Duration.ofSeconds(30));
        Matcher g = Pattern.compile("gateway (http://127\\.0\\.0\\.1:\\d+/" + Pattern.quote(CHAIN) + ")")
            .matcher(String.valueOf(learned));
        assertTrue(g.matches(), () -> "expected the learned chain's URL, got " + learned + "; stderr:\n" + stderrOf(gateway));
        URI url = URI.create(g.group(1));

        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x2a\"}", post(http, url));

        assertEquals(0, serving.terminate(Duration.ofSeconds(30)));
        String answer = "";
        for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < until; Thread.sleep(100)) {
          answer = post(http, url);
          if (answer.contains("no peer serves")) {
            break;
          }
        }
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32002,\"message\":\"no peer serves " + CHAIN
            + " right now; retry when one connects\"}}", answer);
        assertEquals(0, gateway.terminate(Duration.ofSeconds(30)));
        assertEquals(2, gateway.stdoutLines().size(), "listening + the learned gateway line only: " + gateway.stdoutLines());
        assertTrue(gateway.stderr().contains("no peer serves " + CHAIN + " right now"), "the loss is logged");
      }
    } finally {
      http.shutdownNow();
      upstream.stop(0);
    }
  }

  private static String stderrOf(CliProcess p) {
    try {
      return p.stderr();
    } catch (java.io.IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }

  private static String post(HttpClient http, URI url) throws Exception {
    return http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_gasPrice\",\"params\":[]}"))
            .build(), HttpResponse.BodyHandlers.ofString()).body();
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
