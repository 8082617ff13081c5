package io.disjoint.relay.jsonrpc;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes JSON-RPC 2.0 response objects with the client's id written back as its exact raw text.
 * One generator per response object so that a caller can roll back an object that made a batch
 * too large. Thread-safe (stateless apart from the shared mapper).
 */
public final class JsonRpcResponseWriter {
  private final ObjectMapper mapper;

  public JsonRpcResponseWriter(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public JsonRpcResponseWriter() {
    this(JsonRpcMapper.SHARED);
  }

  /** {"jsonrpc":"2.0","id":rawId,"error":{"code":..,"message":..}} */
  public void writeError(OutputStream out, String rawId, JsonRpcError error) throws IOException {
    try (JsonGenerator gen = open(out, rawId)) {
      gen.writeFieldName("error");
      gen.writeStartObject();
      gen.writeNumberField("code", error.code());
      gen.writeStringField("message", error.message());
      gen.writeEndObject();
      gen.writeEndObject();
    }
  }

  /** {"jsonrpc":"2.0","id":rawId,"result":result} */
  public void writeResult(OutputStream out, String rawId, JsonNode result) throws IOException {
    try (JsonGenerator gen = open(out, rawId)) {
      gen.writeFieldName("result");
      mapper.writeTree(gen, result);
      gen.writeEndObject();
    }
  }

  /**
   * Writes a routed response (an object carrying "result" or "error", whatever its id) under the
   * client's id. Returns false, writing nothing, when it carries neither.
   */
  public boolean writeRouted(OutputStream out, String rawId, ObjectNode routed)
      throws IOException {
    JsonNode error = routed.get("error");
    if (error != null && error.isObject()) {
      try (JsonGenerator gen = open(out, rawId)) {
        gen.writeFieldName("error");
        mapper.writeTree(gen, error);
        gen.writeEndObject();
      }
      return true;
    }
    JsonNode result = routed.get("result");
    if (result instanceof POJONode pojo && pojo.getPojo() instanceof RawValue raw && raw.rawValue() instanceof String text) {
      // A passed-through result (RawResult): the peer's bytes, written without a generator.
      writeRawResult(out, rawId, text);
      return true;
    }
    if (result != null) {
      writeResult(out, rawId, result);
      return true;
    }
    return false;
  }

  private static final byte[] RESULT_HEAD = "{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] RESULT_FIELD = ",\"result\":".getBytes(StandardCharsets.UTF_8);

  private static void writeRawResult(OutputStream out, String rawId, String result) throws IOException {
    out.write(RESULT_HEAD);
    out.write(rawId.getBytes(StandardCharsets.UTF_8));
    out.write(RESULT_FIELD);
    out.write(result.getBytes(StandardCharsets.UTF_8));
    out.write('}');
  }

  private JsonGenerator open(OutputStream out, String rawId) throws IOException {
    JsonGenerator gen = mapper.getFactory().createGenerator(out);
    gen.writeStartObject();
    gen.writeStringField("jsonrpc", "2.0");
    gen.writeFieldName("id");
    gen.writeRawValue(rawId);
    return gen;
  }
}
