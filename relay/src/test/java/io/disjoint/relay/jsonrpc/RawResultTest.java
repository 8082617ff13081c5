package io.disjoint.relay.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A passed-through result reaches the client as the exact bytes the peer sent; anything odd is left to the full parse. */
class RawResultTest {
  private final JsonRpcResponseWriter writer = new JsonRpcResponseWriter();

  @ParameterizedTest
  @ValueSource(strings = {
      "\"0x2a\"",
      "null",
      "true",
      "false",
      "1e400",
      "-0.000000000000000000000000000001",
      "123456789012345678901234567890",
      "\"a\\u0041\\\"\\\\ \\n \u00e9 \ud83d\ude00\"",
      "[]",
      "{}",
      "[1, [2, [3, {\"a\" : [ ]}]], \"x\"]",
      "{ \"number\" : \"0x10\", \"transactions\" : [ { \"hash\" : \"0xab\" } ], \"nested\" : {\"a\":{\"b\":{}}} }"
  })
  void theResultIsPassedOnByteForByte(String result) throws Exception {
    for (String response : new String[] {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + result + "}",
        "{ \"result\" :  " + result + "  , \"id\" : \"x\", \"jsonrpc\" : \"2.0\" }",
        "\n{\"id\":null,\"extra\":{\"result\":[1]},\"result\":" + result + ",\"jsonrpc\":\"2.0\"}\n"}) {
      Optional<ObjectNode> passed = RawResult.passThrough(response.getBytes(StandardCharsets.UTF_8));
      assertTrue(passed.isPresent(), response);
      assertEquals("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":" + result + "}", written(passed.get()), response);
    }
  }

  @Property(tries = 300)
  void anyStringResultIsPassedOnAsTheUpstreamEncodedIt(@ForAll String text) throws Exception {
    String encoded = JsonRpcMapper.SHARED.writeValueAsString(text);
    String response = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + encoded + "}";
    ObjectNode passed = RawResult.passThrough(response.getBytes(StandardCharsets.UTF_8)).orElseThrow();
    assertEquals("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":" + encoded + "}", written(passed));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"header not found\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\",\"error\":{\"code\":3,\"message\":\"both\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\",\"result\":\"0x2\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":1}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"} trailing",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}{}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[1,2",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":tru}",
      "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]",
      "\"0x1\"",
      "",
      "   "
  })
  void anythingButOneObjectWithOnlyAResultIsLeftToTheFullParse(String response) {
    assertTrue(RawResult.passThrough(response.getBytes(StandardCharsets.UTF_8)).isEmpty(), response);
  }

  private String written(ObjectNode routed) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(writer.writeRouted(out, "7", routed));
    return out.toString(StandardCharsets.UTF_8);
  }
}
