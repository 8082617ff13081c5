package io.disjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code disjoint run} as a real process: the stdout contract, the key file and SIGTERM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunCommandProcessTest {
  private static final Pattern LISTENING =
      Pattern.compile("listening (/ip4/127\\.0\\.0\\.1/tcp/(\\d+))/p2p/(12D3KooW[1-9A-HJ-NP-Za-km-z]+)");

  @Test
  void printsListeningLinesServesAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    String firstId;
    try (CliProcess node = CliProcess.start(dir, "run", "--data-dir", data.toString(),
        "--listen", "/ip4/127.0.0.1/tcp/0", "--listen", "/ip4/127.0.0.1/tcp/0")) {
      String line1 = node.nextLine(Duration.ofSeconds(60));
      String line2 = node.nextLine(Duration.ofSeconds(10));
      assertNotNull(line1, () -> "no listening line; stderr:\n" + stderrOf(node));
      Matcher m1 = LISTENING.matcher(line1);
      Matcher m2 = LISTENING.matcher(String.valueOf(line2));
      assertTrue(m1.matches(), line1);
      assertTrue(m2.matches(), String.valueOf(line2));
      firstId = m1.group(3);
      assertEquals(firstId, m2.group(3), "one identity on every listen address");
      assertEquals(firstId, PeerId.parse(firstId).toBase58());
      Multiaddr full = Multiaddr.parse(line1.substring("listening ".length()));
      assertEquals(firstId, full.peerId().orElseThrow().toBase58());
      for (Matcher m : new Matcher[] {m1, m2}) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(2))), 2_000);
          assertTrue(s.isConnected(), "the printed port accepts TCP");
        }
      }
      assertTrue(Files.exists(data.resolve("node.key")), "key file created in the data dir");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("node.key"))));

      assertEquals(0, node.terminate(Duration.ofSeconds(30)), () -> "exit code after SIGTERM; stderr:\n" + stderrOf(node));
      assertEquals(2, node.stdoutLines().size(), "stdout holds only the listening lines: " + node.stdoutLines());
      assertTrue(node.stderr().contains("SIGTERM"), "the log (stderr) says why it stopped");
    }
    try (CliProcess again = CliProcess.start(dir, "run", "--data-dir", data.toString(), "--listen", "/ip4/127.0.0.1/tcp/0")) {
      String line = again.nextLine(Duration.ofSeconds(60));
      assertNotNull(line, () -> "no listening line on restart; stderr:\n" + stderrOf(again));
      Matcher m = LISTENING.matcher(line);
      assertTrue(m.matches(), line);
      assertEquals(firstId, m.group(3), "the key file in the data dir keeps the peer id across restarts");
      assertEquals(0, again.terminate(Duration.ofSeconds(30)));
    }
  }

  @Test
  void aGatewayPrintsOneUrlPerChainAndAnswersOnIt(@TempDir Path dir) throws Exception {
    try (CliProcess node = CliProcess.start(dir, "run", "--data-dir", dir.resolve("gw").toString(),
        "--listen", "/ip4/127.0.0.1/tcp/0", "--gateway", "127.0.0.1:0", "--route", "eip155:1", "--route", "eip155:31337",
        "--domain", "provider=local,country=US,operator=me")) {
      String listening = node.nextLine(Duration.ofSeconds(60));
      assertNotNull(listening, () -> "no output; stderr:\n" + stderrOf(node));
      assertTrue(LISTENING.matcher(listening).matches(), listening);
      String first = node.nextLine(Duration.ofSeconds(10));
      String second = node.nextLine(Duration.ofSeconds(10));
      Matcher g1 = Pattern.compile("gateway (http://127\\.0\\.0\\.1:\\d+)/eip155:1").matcher(String.valueOf(first));
      Matcher g2 = Pattern.compile("gateway (http://127\\.0\\.0\\.1:\\d+)/eip155:31337").matcher(String.valueOf(second));
      assertTrue(g1.matches(), first);
      assertTrue(g2.matches(), second);
      assertEquals(g1.group(1), g2.group(1), "one gateway port for every chain");
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(g2.group(1) + "/eip155:31337"))
              .header("content-type", "application/json")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\",\"params\":[]}"))
              .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x7a69\"}", r.body());
      assertEquals(0, node.terminate(Duration.ofSeconds(30)));
      assertEquals(3, node.stdoutLines().size(), "listening + two gateway lines, nothing else: " + node.stdoutLines());
    }
  }

  @Test
  void badFlagsGiveOneLineNamingTheFlagAndExitCode2(@TempDir Path dir) throws Exception {
    String[][] cases = {
        {"run", "--data-dir", dir.toString(), "--serve", "mainnet"},
        {"run", "--data-dir", dir.toString(), "--listen", "127.0.0.1:4001"},
        {"run", "--data-dir", dir.toString(), "--gateway", "localhost"},
        {"run", "--data-dir", dir.toString(), "--domain", "cloud=aws"},
        {"run", "--data-dir", dir.toString(), "--listen", "/ip4/127.0.0.1/tcp/0", "--peer", "/ip4/127.0.0.1/tcp/1"},
        {"run", "--listen", "/ip4/127.0.0.1/tcp/0"},
        {"run", "--data-dir", dir.toString(), "--servee", "x"},
    };
    String[] flags = {"--serve", "--listen", "--gateway", "--domain", "--peer", "--data-dir", "--servee"};
    for (int i = 0; i < cases.length; i++) {
      try (CliProcess p = CliProcess.start(dir, cases[i])) {
        int code = p.waitFor(Duration.ofSeconds(60));
        String err = p.stderr().strip();
        assertEquals(2, code, String.join(" ", cases[i]) + " -> " + err);
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("disjoint run: "), err);
        assertTrue(err.contains(flags[i]), "names " + flags[i] + ": " + err);
        assertTrue(p.stdoutLines().isEmpty(), "nothing on stdout");
      }
    }
  }

  private static String stderrOf(CliProcess p) {
    try {
      return p.stderr();
    } catch (Exception e) {
      return e.toString();
    }
  }
}
