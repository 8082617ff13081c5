package io.disjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.disjoint.testnet.proc.RepoPaths;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code disjoint testnet up} as a user runs it: prints the gateway URLs, the gateway answers,
 * and SIGTERM stops anvil and every node process it started (exit code 0, no orphans).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TestnetUpProcessTest {

  @Test
  void startsANetworkPrintsTheGatewayAndStopsEverythingOnSigterm(@TempDir Path dir) throws Exception {
    RepoPaths repo = RepoPaths.locate();
    if (!repo.fixtureInstalled()) {
      String why = "npm fixture missing in " + repo.fixtureDir() + " (run scripts/install-fixtures.sh)";
      if ("true".equals(System.getProperty("disjoint.ci"))) {
        fail(why + "; mandatory because disjoint.ci=true");
      }
      Assumptions.abort(why + "; skipping (set CI=true to make this a failure)");
    }
    try (CliProcess up = CliProcess.start(dir, "testnet", "up", "--nodes", "3", "--work-dir", dir.resolve("net").toString())) {
      URI http = null;
      URI ws = null;
      for (String line; (line = up.nextLine(Duration.ofSeconds(180))) != null; ) {
        if (line.startsWith("  gateway (HTTP)")) {
          http = URI.create(line.substring("  gateway (HTTP)".length()).trim());
        } else if (line.startsWith("  gateway (WebSocket)")) {
          ws = URI.create(line.substring("  gateway (WebSocket)".length()).trim());
        } else if (line.startsWith("Stop with Ctrl-C")) {
          break;
        }
      }
      String stderr = up.stderr();
      assertNotNull(http, () -> "no gateway URL printed; stdout " + up.stdoutLines() + "\nstderr:\n" + stderr);
      assertTrue(http.toString().matches("http://127\\.0\\.0\\.1:\\d+/eip155:31337"), http.toString());
      assertEquals("ws" + http.toString().substring(4), String.valueOf(ws));
      assertTrue(stderr.contains("testnet: gateway knows all 3 serving nodes"), stderr);

      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(http).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"eth_getBalance\","
              + "\"params\":[\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"latest\"]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.body().matches("\\{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":\"0x[0-9a-f]+\"}"), r.body());

      List<ProcessHandle> children = up.process().descendants().toList();
      assertTrue(children.size() >= 5, "anvil, 3 serving nodes and a gateway: " + children.size() + " children");
      assertEquals(0, up.terminate(Duration.ofSeconds(90)), () -> "exit code after SIGTERM");
      for (ProcessHandle child : children) {
        child.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(!child.isAlive(), "child " + child.pid() + " stopped with the testnet");
      }
    }
  }
}
