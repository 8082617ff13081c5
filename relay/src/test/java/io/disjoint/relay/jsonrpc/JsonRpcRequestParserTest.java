package io.disjoint.relay.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Properties of parsing: ids survive byte for byte; no input makes the parser throw. */
class JsonRpcRequestParserTest {
  private final JsonRpcRequestParser parser = new JsonRpcRequestParser(1_000, 64);
  private final JsonRpcResponseWriter writer = new JsonRpcResponseWriter();

  @Provide
  Arbitrary<String> rawIds() {
    Arbitrary<String> integers = Arbitraries.bigIntegers().between(BigInteger.TEN.pow(60).negate(), BigInteger.TEN.pow(60)).map(BigInteger::toString);
    Arbitrary<String> decimals = Arbitraries.bigDecimals().between(new BigDecimal("-1e30"), new BigDecimal("1e30")).ofScale(25).map(BigDecimal::toPlainString);
    Arbitrary<String> exponents = Arbitraries.integers().between(-400, 400).map(e -> "1.5e" + e);
    Arbitrary<String> strings = Arbitraries.strings().ofMaxLength(40).map(JsonRpcRequestParserTest::jsonString);
    return Arbitraries.oneOf(integers, decimals, exponents, strings, Arbitraries.just("null"));
  }

  /** A JSON string literal with escapes spelled in ways a re-encoder would change. */
  private static String jsonString(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04X", (int) c));
      } else if (c == 'a') {
        out.append("\\u0061");
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  @Property(tries = 300)
  void idsAreEchoedByteForByte(@ForAll("rawIds") String rawId) throws Exception {
    String request = "{\"id\" : " + rawId + ", \"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\"}";
    ParsedBody parsed = parser.parse(request.getBytes(StandardCharsets.UTF_8));
    RpcEntry.Call call = assertInstanceOf(RpcEntry.Call.class, assertInstanceOf(ParsedBody.Single.class, parsed).entry());
    assertEquals(rawId, call.rawId().orElseThrow());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.writeResult(out, call.rawId().get(), com.fasterxml.jackson.databind.node.TextNode.valueOf("0x1"));
    assertEquals("{\"jsonrpc\":\"2.0\",\"id\":" + rawId + ",\"result\":\"0x1\"}", out.toString(StandardCharsets.UTF_8));
  }

  @Property(tries = 500)
  void arbitraryBytesNeverThrow(@ForAll @Size(max = 200) byte[] body) {
    parser.parse(body);
  }

  @Property(tries = 500)
  void mutatedRequestsNeverThrow(@ForAll("mutations") byte[] body) {
    parser.parse(body);
  }

  @Provide
  Arbitrary<byte[]> mutations() {
    byte[] valid = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[{\"to\":\"0x01\"},\"latest\"]},{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]"
        .getBytes(StandardCharsets.UTF_8);
    return Arbitraries.integers().between(0, valid.length - 1).list().ofMinSize(1).ofMaxSize(4)
        .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
          byte[] copy = valid.clone();
          for (int i = 0; i < positions.size(); i++) {
            copy[positions.get(i)] = values.get(i);
          }
          return copy;
        }));
  }
}
