package io.disjoint.relay.route;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one JSON-RPC request (already parsed, validated and allowed by policy at the gateway) to
 * the network and completes with the JSON-RPC response object to return to the client (its "id"
 * is set by the gateway). Completes exceptionally only with {@link RouteException}, whose
 * JSON-RPC code the gateway reports.
 */
public interface RequestRouter {
  CompletableFuture<ObjectNode> route(RouteRequest request);
}
