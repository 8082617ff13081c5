package io.disjoint.relay.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.route.RequestRouter;
import io.disjoint.relay.route.RouteException;
import io.disjoint.relay.route.RouteRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A deterministic router for gateway tests: answers on its own thread (as a real router does),
 * by method name:
 *
 * <ul>
 *   <li>{@code eth_blockNumber} -> "0x10"
 *   <li>{@code eth_testRevert} -> error {code 3, "execution reverted", data "0x"}
 *   <li>{@code eth_testUnavailable} -> RouteException(-32000, "no peer could answer")
 *   <li>{@code eth_testCrash} -> a bug (IllegalStateException, with an internal-looking message)
 *   <li>{@code eth_testHang} -> never answers
 *   <li>{@code eth_testLarge} [n] -> a string result of n 'x' characters
 *   <li>{@code eth_testNoResult} -> an object with neither result nor error
 *   <li>anything else -> result {"method": m, "params": params, "session": session or null}
 * </ul>
 */
final class ScriptedRouter implements RequestRouter, AutoCloseable {
  final List<RouteRequest> received = new CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @Override
  public CompletableFuture<ObjectNode> route(RouteRequest request) {
    received.add(request);
    if (request.method().equals("eth_testHang")) {
      return new CompletableFuture<>();
    }
    return CompletableFuture.supplyAsync(() -> answer(request), executor);
  }

  private static ObjectNode answer(RouteRequest request) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode response = json.objectNode();
    response.put("jsonrpc", "2.0");
    response.put("id", 99); // the gateway must replace it with the client's id
    JsonNode params = request.request().path("params");
    switch (request.method()) {
      case "eth_blockNumber" -> response.put("result", "0x10");
      case "eth_testRevert" -> {
        ObjectNode error = response.putObject("error");
        error.put("code", 3);
        error.put("message", "execution reverted");
        error.put("data", "0x");
      }
      case "eth_testUnavailable" -> throw new RouteException(-32000, "no peer could answer");
      case "eth_testCrash" -> throw new IllegalStateException("upstream http://10.0.0.7:8545 exploded");
      case "eth_testLarge" -> response.put("result", "x".repeat(params.path(0).asInt()));
      case "eth_testNoResult" -> {}
      default -> {
        ObjectNode result = response.putObject("result");
        result.put("method", request.method());
        result.set("params", params.isMissingNode() ? json.nullNode() : params);
        if (request.session().isPresent()) {
          result.put("session", request.session().get());
        } else {
          result.putNull("session");
        }
      }
    }
    return response;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
