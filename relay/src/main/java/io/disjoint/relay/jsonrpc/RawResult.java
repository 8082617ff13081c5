package io.disjoint.relay.jsonrpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A JSON-RPC response's {@code result} kept as the bytes the peer sent, for answers the gateway
 * only passes on: the response is checked to be well-formed JSON (every token is read) but no
 * tree is built and the result is not re-serialised, which for a large block or log list is most
 * of the gateway's work. Writing the returned node with Jackson writes those bytes verbatim.
 * Thread-safe.
 */
public final class RawResult {
  private static final JsonFactory FACTORY = JsonRpcMapper.SHARED.getFactory();

  private RawResult() {}

  /**
   * A response object {@code {"jsonrpc":"2.0","result":<raw>}} when {@code payload} is one JSON
   * object carrying a {@code result} and no {@code error}, each field at most once; empty for
   * anything else (an error answer, invalid JSON, a duplicate key, trailing bytes), which the
   * caller then parses in full to say what is wrong.
   */
  public static Optional<ObjectNode> passThrough(byte[] payload) {
    try (JsonParser parser = FACTORY.createParser(payload)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      int start = -1;
      int end = -1;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (name.equals("error")) {
          return Optional.empty();
        }
        if (name.equals("result")) {
          if (start >= 0) {
            return Optional.empty(); // two results: let the full parse decide
          }
          start = (int) parser.currentTokenLocation().getByteOffset();
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            parser.skipChildren();
          } else {
            parser.finishToken(); // a string's closing quote is read only on demand
          }
          end = (int) parser.currentLocation().getByteOffset();
        } else {
          parser.skipChildren();
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null || start < 0 || end <= start) {
        return Optional.empty();
      }
      ObjectNode response = JsonRpcMapper.SHARED.createObjectNode();
      response.put("jsonrpc", "2.0");
      response.putRawValue("result", new RawValue(new String(payload, start, end - start, StandardCharsets.UTF_8)));
      return Optional.of(response);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
