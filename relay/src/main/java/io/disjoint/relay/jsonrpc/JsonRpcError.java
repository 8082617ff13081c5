package io.disjoint.relay.jsonrpc;

import java.util.Objects;

/**
 * A JSON-RPC 2.0 error object's code and message. The message is what the client reads: it names
 * the fault and never carries internals (upstream URLs, stack traces).
 */
public record JsonRpcError(int code, String message) {
  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int METHOD_NOT_FOUND = -32601;
  public static final int INVALID_PARAMS = -32602;
  public static final int INTERNAL_ERROR = -32603;
  /** geth's code for a request that ran past its deadline. */
  public static final int TIMEOUT = -32002;
  /** geth's code for a (batch) response over the response size limit. */
  public static final int RESPONSE_TOO_LARGE = -32003;

  /** Longest client-supplied text (a method name, a path) quoted back in a message. */
  private static final int MAX_QUOTED = 64;

  public JsonRpcError {
    Objects.requireNonNull(message, "message");
  }

  public static JsonRpcError parseError(String detail) {
    return new JsonRpcError(PARSE_ERROR, "parse error: " + detail);
  }

  public static JsonRpcError invalidRequest(String detail) {
    return new JsonRpcError(INVALID_REQUEST, "invalid request: " + detail);
  }

  public static JsonRpcError internal() {
    return new JsonRpcError(INTERNAL_ERROR, "internal error");
  }

  public static JsonRpcError timedOut() {
    return new JsonRpcError(TIMEOUT, "request timed out");
  }

  public static JsonRpcError responseTooLarge() {
    return new JsonRpcError(RESPONSE_TOO_LARGE, "response too large");
  }

  /** Client-supplied text shortened for quoting inside an error message. */
  public static String quote(String clientText) {
    if (clientText.length() <= MAX_QUOTED) {
      return clientText;
    }
    return clientText.substring(0, MAX_QUOTED) + "...";
  }
}
