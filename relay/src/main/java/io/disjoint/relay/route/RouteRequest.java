package io.disjoint.relay.route;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One request to route.
 *
 * @param chain CAIP-2 chain id, e.g. {@code eip155:31337}
 * @param method the JSON-RPC method name
 * @param request the full JSON-RPC request object (jsonrpc, method, params; id may be any)
 * @param rule the method's policy rule from the chain family's method table
 * @param deadline when the client stops waiting
 * @param session sticky-routing key of the client connection (WebSocket session), if any
 * @param passThrough the caller only writes the answer's {@code result} back to its client, never
 *     reads it: the router may then hand it over as the serving peer's exact bytes (a
 *     {@link com.fasterxml.jackson.databind.util.RawValue} node that Jackson writes verbatim)
 *     instead of a parsed tree. Errors are always parsed.
 */
public record RouteRequest(
    String chain,
    String method,
    ObjectNode request,
    MethodRule rule,
    Instant deadline,
    Optional<String> session,
    boolean passThrough) {
  public RouteRequest {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(session, "session");
  }

  /** A request whose answer the caller reads (the result always a parsed tree). */
  public RouteRequest(String chain, String method, ObjectNode request, MethodRule rule, Instant deadline,
      Optional<String> session) {
    this(chain, method, request, rule, deadline, session, false);
  }
}
