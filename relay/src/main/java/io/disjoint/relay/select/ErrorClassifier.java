package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * Sorts a peer's JSON-RPC response by whose fault an error is. Deterministic answers (execution
 * reverted, invalid params, method not found, nonce too low, ...) go back to the client; node
 * trouble (internal errors, rate limits, -32000 messages that name an unhealthy node) is retried
 * in another failure domain.
 */
public final class ErrorClassifier {
  private final List<String> retryablePatterns;

  public ErrorClassifier(List<String> retryablePatterns) {
    this.retryablePatterns = retryablePatterns.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
  }

  public Outcome classify(ObjectNode response) {
    if (response.has("result") && !response.has("error")) {
      return Outcome.RESULT;
    }
    JsonNode error = response.get("error");
    if (error == null || !error.isObject() || !error.path("code").isIntegralNumber()) {
      // Neither result nor a well-formed error: the peer is broken, not the request.
      return Outcome.RETRYABLE;
    }
    long code = error.get("code").asLong();
    String message = error.path("message").asText("").toLowerCase(Locale.ROOT);
    if (code == -32603 || code == -32005 || code == -32002 || code == 429 || (code >= 500 && code <= 599)) {
      return Outcome.RETRYABLE;
    }
    if (code <= -32000 && code >= -32099) {
      for (String p : retryablePatterns) {
        if (message.contains(p)) {
          return Outcome.RETRYABLE;
        }
      }
    }
    return Outcome.DETERMINISTIC_ERROR;
  }
}
