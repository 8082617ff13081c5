package io.disjoint.relay.upstream;

/**
 * Sorts an upstream HTTP answer by whose fault it is. A JSON-RPC error is an answer (a revert,
 * bad params: every node would say the same), so it passes through as bytes; rate limits, server
 * errors and non-JSON replies are this node's trouble and retryable elsewhere. Messages name the
 * status only, never the upstream's address or body.
 */
final class UpstreamAnswers {
  private UpstreamAnswers() {}

  static byte[] fromHttp(int status, byte[] body) {
    if (status == 429) {
      throw new UpstreamException("upstream rate limited the request (HTTP 429)", true);
    }
    if (status >= 500) {
      throw new UpstreamException("upstream failed (HTTP " + status + ")", true);
    }
    if (status == 413) {
      throw new UpstreamException("upstream refused the request as too large (HTTP 413)", false);
    }
    if (status >= 200 && status < 300) {
      if (!startsLikeJson(body)) {
        throw new UpstreamException("upstream answered without a JSON body", true);
      }
      return body;
    }
    if (!looksLikeJsonRpc(body)) {
      throw new UpstreamException(
          "upstream answered HTTP " + status + " without a JSON-RPC body", true);
    }
    return body;
  }

  private static int firstNonSpace(byte[] body) {
    int i = 0;
    while (i < body.length && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t')) {
      i++;
    }
    return i;
  }

  static boolean startsLikeJson(byte[] body) {
    int i = firstNonSpace(body);
    return i < body.length && (body[i] == '{' || body[i] == '[');
  }

  /** A JSON object or array that mentions "jsonrpc" early: an answer, not an error page. */
  static boolean looksLikeJsonRpc(byte[] body) {
    if (!startsLikeJson(body)) {
      return false;
    }
    int i = firstNonSpace(body);
    byte[] marker = "\"jsonrpc\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int limit = Math.min(body.length, i + 4096) - marker.length;
    outer:
    for (int at = i; at <= limit; at++) {
      for (int k = 0; k < marker.length; k++) {
        if (body[at + k] != marker[k]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
