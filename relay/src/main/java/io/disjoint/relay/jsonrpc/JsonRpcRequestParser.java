package io.disjoint.relay.jsonrpc;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Strict JSON-RPC 2.0 request parsing, streaming so that limits apply before work: the batch
 * limit stops reading at entry {@code maxBatchSize + 1}, and nesting depth is bounded by the
 * parser. Ids are kept as the client's exact JSON text so that they are echoed byte for byte.
 * Thread-safe.
 */
public final class JsonRpcRequestParser {
  private static final String NULL_ID = "null";

  private final int maxBatchSize;
  private final int maxNestingDepth;
  private final ObjectMapper mapper;

  public JsonRpcRequestParser(int maxBatchSize, int maxNestingDepth) {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be >= 1, was " + maxBatchSize);
    }
    if (maxNestingDepth < 2) {
      throw new IllegalArgumentException("maxNestingDepth must be >= 2, was " + maxNestingDepth);
    }
    this.maxBatchSize = maxBatchSize;
    this.maxNestingDepth = maxNestingDepth;
    this.mapper = JsonRpcMapper.create(maxNestingDepth);
  }

  /** Parses a whole body (UTF-8 JSON). Never throws for client input: faults become errors. */
  public ParsedBody parse(byte[] body) {
    try (JsonParser parser = mapper.getFactory().createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return rejected(JsonRpcError.parseError("empty body"));
      }
      if (first == JsonToken.START_ARRAY) {
        return parseBatch(parser, body);
      }
      RpcEntry entry = readEntry(parser, body);
      expectEnd(parser);
      return new ParsedBody.Single(entry);
    } catch (StreamConstraintsException e) {
      String what =
          e.getMessage() != null && e.getMessage().contains("nesting")
              ? "JSON nested deeper than " + maxNestingDepth + " levels"
              : "a JSON value exceeds the parser's size limits";
      return rejected(JsonRpcError.parseError(what));
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      return rejected(JsonRpcError.parseError("invalid JSON" + where));
    } catch (IOException e) {
      throw new UncheckedIOException("reading an in-memory body cannot fail", e);
    }
  }

  private ParsedBody parseBatch(JsonParser parser, byte[] body) throws IOException {
    List<RpcEntry> entries = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == null) {
        return rejected(JsonRpcError.parseError("invalid JSON: unterminated batch"));
      }
      if (entries.size() == maxBatchSize) {
        return new ParsedBody.Rejected(
            new JsonRpcError(JsonRpcError.INVALID_REQUEST, "batch too large"),
            true,
            firstCallId(entries));
      }
      entries.add(readEntry(parser, body));
    }
    expectEnd(parser);
    if (entries.isEmpty()) {
      return rejected(new JsonRpcError(JsonRpcError.INVALID_REQUEST, "empty batch"));
    }
    return new ParsedBody.Batch(entries);
  }

  private static String firstCallId(List<RpcEntry> entries) {
    for (RpcEntry entry : entries) {
      if (entry instanceof RpcEntry.Call call && call.rawId().isPresent()) {
        return call.rawId().get();
      }
    }
    return NULL_ID;
  }

  private static void expectEnd(JsonParser parser) throws IOException {
    if (parser.nextToken() != null) {
      throw new JsonParseException(parser, "trailing content after the JSON value");
    }
  }

  /** Reads one value starting at the parser's current token; consumes the whole value. */
  private RpcEntry readEntry(JsonParser parser, byte[] body) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return invalid(NULL_ID, "not a JSON object");
    }
    String rawId = null;
    boolean badId = false;
    JsonNode version = null;
    JsonNode method = null;
    JsonNode params = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (name) {
        case "id" -> {
          rawId = readRawId(parser, value, body);
          badId = rawId == null;
        }
        // Strings (the valid case) are read as they are; anything else becomes a tree to judge.
        case "jsonrpc" -> version = value == JsonToken.VALUE_STRING ? TextNode.valueOf(parser.getText()) : mapper.readTree(parser);
        case "method" -> method = value == JsonToken.VALUE_STRING ? TextNode.valueOf(parser.getText()) : mapper.readTree(parser);
        case "params" -> params = mapper.readTree(parser);
        default -> parser.skipChildren();
      }
    }
    if (badId) {
      return invalid(NULL_ID, "id must be a string, a number or null");
    }
    String replyId = rawId == null ? NULL_ID : rawId;
    if (version == null || !version.isTextual() || !"2.0".equals(version.textValue())) {
      return invalid(replyId, "jsonrpc must be \"2.0\"");
    }
    if (method == null || !method.isTextual() || method.textValue().isEmpty()) {
      return invalid(replyId, "method must be a non-empty string");
    }
    if (params != null && !params.isNull() && !params.isArray() && !params.isObject()) {
      return invalid(replyId, "params must be an array or an object");
    }
    ObjectNode request = JsonNodeFactory.instance.objectNode();
    request.put("jsonrpc", "2.0");
    if (rawId != null) {
      request.putRawValue("id", new RawValue(rawId));
    }
    request.put("method", method.textValue());
    if (params != null && !params.isNull()) {
      request.set("params", params);
    }
    return new RpcEntry.Call(Optional.ofNullable(rawId), method.textValue(), request);
  }

  /** The id's exact JSON text, or null when the id is not a string, number or null. */
  private static String readRawId(JsonParser parser, JsonToken value, byte[] body)
      throws IOException {
    return switch (value) {
      case VALUE_NULL -> NULL_ID;
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getText();
      case VALUE_STRING -> {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        parser.getText(); // finishes the token so that the location is past its closing quote
        int end = (int) parser.currentLocation().getByteOffset();
        yield new String(body, start, end - start, StandardCharsets.UTF_8);
      }
      default -> {
        parser.skipChildren();
        yield null;
      }
    };
  }

  private static RpcEntry invalid(String rawId, String detail) {
    return new RpcEntry.Invalid(rawId, JsonRpcError.invalidRequest(detail));
  }

  private static ParsedBody rejected(JsonRpcError error) {
    return new ParsedBody.Rejected(error, false, NULL_ID);
  }
}
