package io.disjoint.testnet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.testnet.LocalTestnet;
import io.disjoint.testnet.layout.Layout;
import io.disjoint.testnet.proc.MetricsScrape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One jurisdiction blocks an address (its nodes run with a blocked-addresses list); clients of
 * the gateway must not notice, because nodes in another country serve what those refuse. And
 * when every node refuses, the client gets an error that says why.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SanctionsDrillE2ETest extends DrillSupport {
  /** The "sanctioned" contract: any address works; anvil answers calls to it with 0x. */
  static final String BLOCKED = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
  private static final String POLICY_METRIC = "disjoint_relay_served_total";
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  private static Layout layout(boolean everyoneBlocks) {
    String us = "  blocked = [\"" + BLOCKED + "\"]\n";
    String de = everyoneBlocks ? us : "";
    return Layout.parse("""
        chain = "eip155:31337"
        [gateway]
        name = "gateway"
        domain = "provider=local,region=loopback,country=CH,operator=gw,asn=0"
        [[node]]
        name = "aws-use1-op1"
        domain = "provider=aws,region=us-east-1,country=US,operator=op1,asn=16509"
        """ + us + """
        [[node]]
        name = "gcp-euw3-op2"
        domain = "provider=gcp,region=europe-west3,country=DE,operator=op2,asn=15169"
        """ + de + """
        [[node]]
        name = "aws-use1-op3"
        domain = "provider=aws,region=us-east-1,country=US,operator=op3,asn=16509"
        """ + us + """
        [[node]]
        name = "hetzner-fsn1-op4"
        domain = "provider=hetzner,region=fsn1,country=DE,operator=op4,asn=24940"
        """ + de, "sanctions drill layout");
  }

  private JsonNode post(URI url, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(CLIENT_TIMEOUT)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r::body);
    return json.readTree(r.body());
  }

  private double refusals(LocalTestnet net, List<String> names) throws Exception {
    double sum = 0;
    for (String n : names) {
      sum += MetricsScrape.sum(MetricsScrape.fetch(net.node(n).metricsUrl()), POLICY_METRIC,
          "status=\"policy_refused\"").orElse(0);
    }
    return sum;
  }

  @Test
  void oneJurisdictionsListDoesNotReachClients() throws Exception {
    LocalTestnet net = closeLater(LocalTestnet.builder(dir.resolve("sanctions")).layout(layout(false))
        .progress(line -> System.out.println("sanctions: " + line)).start());
    URI gw = net.gatewayHttp();
    List<String> usNodes = List.of("aws-use1-op1", "aws-use1-op3");

    // Calls to the blocked contract: some land on US nodes first, which refuse; the gateway
    // retries in Germany. Every client call succeeds.
    int calls = 60;
    for (int i = 0; i < calls; i++) {
      JsonNode r = post(gw, rpc(i, "eth_call", "[{\"to\":\"" + BLOCKED + "\",\"data\":\"0x\"},\"latest\"]"));
      assertEquals("0x", r.path("result").asText(null), r::toString);
    }
    assertTrue(refusals(net, usNodes) > 0, "US nodes saw and refused some of the calls (the path was exercised)");
    assertEquals(0, refusals(net, List.of("gcp-euw3-op2", "hetzner-fsn1-op4")));

    // A value transfer to the blocked address, signed by the dApp, goes out through the gateway
    // and is mined: US nodes refuse to broadcast it, German nodes accept it.
    JsonNode nonce = post(gw, rpc(1, "eth_getTransactionCount", "[\"" + ACCOUNT + "\",\"pending\"]"));
    NodeScript.Result signed = NodeScript.run(repo.fixtureDir(), dir, Duration.ofSeconds(30), "sign-tx.mjs",
        "--to", BLOCKED, "--nonce", String.valueOf(Long.decode(nonce.path("result").asText())), "--value", "12345");
    assertEquals(0, signed.exitCode(), signed::toString);
    JsonNode sent = post(gw, rpc(2, "eth_sendRawTransaction", "[\"" + signed.stdout().strip() + "\"]"));
    String txHash = sent.path("result").asText("");
    assertTrue(txHash.matches("0x[0-9a-f]{64}"), sent::toString);
    JsonNode receipt = null;
    for (int i = 0; i < 100 && (receipt == null || receipt.isNull()); i++) {
      receipt = post(gw, rpc(3, "eth_getTransactionReceipt", "[\"" + txHash + "\"]")).path("result");
      Thread.sleep(100);
    }
    assertEquals("0x1", receipt.path("status").asText(), String.valueOf(receipt));
    JsonNode balance = post(gw, rpc(4, "eth_getBalance", "[\"" + BLOCKED + "\",\"latest\"]"));
    assertTrue(Long.decode(balance.path("result").asText()) >= 12345, balance::toString);
  }

  @Test
  void whenEveryNodeRefusesTheClientIsToldWhy() throws Exception {
    LocalTestnet net = closeLater(LocalTestnet.builder(dir.resolve("all-block")).layout(layout(true))
        .progress(line -> System.out.println("all-block: " + line)).start());
    JsonNode r = post(net.gatewayHttp(), rpc(9, "eth_call", "[{\"to\":\"" + BLOCKED + "\",\"data\":\"0x\"},\"latest\"]"));
    assertEquals(9, r.path("id").asInt(), r::toString);
    String message = r.path("error").path("message").asText("");
    assertTrue(message.contains("blocked-addresses"), r::toString);
    // Unrelated requests are still served by the same nodes.
    JsonNode ok = post(net.gatewayHttp(), rpc(10, "eth_getBalance", "[\"" + ACCOUNT + "\",\"latest\"]"));
    assertTrue(ok.path("result").asText("").startsWith("0x"), ok::toString);
  }
}
