package io.disjoint.relay.jsonrpc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/** One element of a JSON-RPC body: a well-formed call, or an invalid request to answer with an error. */
public sealed interface RpcEntry {

  /**
   * A well-formed call.
   *
   * @param rawId the id exactly as the client wrote it (JSON text, e.g. {@code 1e400},
   *     {@code "a\u0041"}, {@code null}); empty for a notification
   * @param request the request object handed to routing: jsonrpc, id (as the raw text), method,
   *     params (absent when the client sent none or null)
   */
  record Call(Optional<String> rawId, String method, ObjectNode request) implements RpcEntry {
    public Call {
      Objects.requireNonNull(rawId, "rawId");
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(request, "request");
    }

    public boolean notification() {
      return rawId.isEmpty();
    }
  }

  /**
   * A request that is not a valid JSON-RPC 2.0 request object: always answered (the spec answers
   * invalid requests even without an id), with the id when it could be read, else {@code null}.
   */
  record Invalid(String rawId, JsonRpcError error) implements RpcEntry {
    public Invalid {
      Objects.requireNonNull(rawId, "rawId");
      Objects.requireNonNull(error, "error");
    }
  }
}
