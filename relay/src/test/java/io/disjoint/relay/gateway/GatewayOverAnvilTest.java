package io.disjoint.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import io.disjoint.relay.route.RequestRouter;
import io.disjoint.relay.route.RouteException;
import io.disjoint.relay.route.RouteRequest;
import io.disjoint.relay.upstream.AnvilProcess;
import io.disjoint.relay.upstream.HttpUpstreamClient;
import io.disjoint.relay.upstream.UpstreamConfig;
import io.disjoint.relay.upstream.UpstreamException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of a real anvil through the real upstream client (a one-hop router in test
 * code stands in for the network): every answer equals what anvil gives directly, ids aside.
 */
class GatewayOverAnvilTest {
  private static final String CHAIN = "eip155:31337";
  private static final String DEV_ACCOUNT = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

  /** Forwards to one upstream; its failures become -32000-style route errors. */
  private record OneHopRouter(HttpUpstreamClient upstream) implements RequestRouter {
    @Override
    public CompletableFuture<ObjectNode> route(RouteRequest request) {
      ObjectNode forwarded = request.request().deepCopy();
      forwarded.put("id", 1);
      byte[] body;
      try {
        body = JsonRpcMapper.SHARED.writeValueAsBytes(forwarded);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Duration left = Duration.between(Instant.now(), request.deadline());
      return upstream
          .send(body, left.isNegative() ? Duration.ofMillis(1) : left)
          .handle((answer, failure) -> {
            if (failure != null) {
              Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
              throw new RouteException(-32000, cause instanceof UpstreamException u ? u.getMessage() : "upstream failed");
            }
            try {
              return (ObjectNode) JsonRpcMapper.SHARED.readTree(answer);
            } catch (IOException e) {
              throw new RouteException(-32603, "internal error");
            }
          });
    }
  }

  private static final List<String> CALLS = List.of(
      "\"method\":\"eth_chainId\",\"params\":[]",
      "\"method\":\"net_version\",\"params\":[]",
      "\"method\":\"eth_blockNumber\",\"params\":[]",
      "\"method\":\"eth_gasPrice\",\"params\":[]",
      "\"method\":\"eth_getBalance\",\"params\":[\"" + DEV_ACCOUNT + "\",\"latest\"]",
      "\"method\":\"eth_getTransactionCount\",\"params\":[\"" + DEV_ACCOUNT + "\",\"latest\"]",
      "\"method\":\"eth_getCode\",\"params\":[\"" + DEV_ACCOUNT + "\",\"latest\"]",
      "\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x0\",true]",
      "\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x99\",false]",
      "\"method\":\"eth_getStorageAt\",\"params\":[\"" + DEV_ACCOUNT + "\",\"0x0\",\"latest\"]",
      "\"method\":\"eth_estimateGas\",\"params\":[{\"from\":\"" + DEV_ACCOUNT + "\",\"to\":\"0x0000000000000000000000000000000000000001\",\"value\":\"0x1\"}]",
      "\"method\":\"eth_call\",\"params\":[{\"to\":\"0x0000000000000000000000000000000000000004\",\"data\":\"0x1234\"},\"latest\"]",
      "\"method\":\"eth_getBalance\",\"params\":[\"not-an-address\"]",
      "\"method\":\"eth_getLogs\",\"params\":[{\"fromBlock\":\"0x0\",\"toBlock\":\"latest\"}]",
      "\"method\":\"eth_feeHistory\",\"params\":[\"0x1\",\"latest\",[50]]",
      "\"method\":\"eth_noSuchMethod\",\"params\":[]");

  @Test
  void answersMatchAnvilDirectly() throws Exception {
    try (AnvilProcess anvil = AnvilProcess.start();
        HttpUpstreamClient upstream = HttpUpstreamClient.start(
            UpstreamConfig.builder(anvil.httpUrl()).noHeadSubscription().build(), Clock.systemUTC());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      GatewayServer gateway = new GatewayServer(
          GatewayConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0)).chain(CHAIN).ioThreads(1).build(),
          new OneHopRouter(upstream), chain -> 1, new WebSocketSessions(), Clock.systemUTC());
      gateway.start();
      try {
        URI viaGateway = URI.create(gateway.urls().getFirst());
        int id = 100;
        for (String call : CALLS) {
          String request = "{\"jsonrpc\":\"2.0\",\"id\":" + id++ + "," + call + "}";
          assertEquals(post(http, anvil.httpUrl(), request), post(http, viaGateway, request), request);
        }
        StringBuilder batch = new StringBuilder("[");
        for (String call : CALLS) {
          batch.append(batch.length() > 1 ? "," : "").append("{\"jsonrpc\":\"2.0\",\"id\":\"b").append(id++).append("\",").append(call).append('}');
        }
        String batchRequest = batch.append(']').toString();
        assertEquals(post(http, anvil.httpUrl(), batchRequest), post(http, viaGateway, batchRequest));
      } finally {
        gateway.close();
      }
    }
  }

  private static JsonNode post(HttpClient http, URI uri, String body) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(uri).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return JsonRpcMapper.SHARED.readTree(response.body());
  }
}
