package io.disjoint.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every request/response file under {@code src/test/resources/jsonrpc-cases/} against a real
 * gateway on loopback. A case file holds: description; optional path (default the CAIP-2 chain),
 * contentType (default application/json); the request as JSON ({@code request}) or as raw text
 * ({@code requestText}); the expected HTTP status; and the expected body as JSON compared exactly
 * ({@code response}), as a JSON subset ({@code responseMatches}: every member given must match),
 * as exact bytes ({@code responseText}), or {@code emptyBody: true}.
 */
class JsonRpcCasesTest {
  private static final ObjectMapper JSON = JsonRpcMapper.SHARED;
  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = new GatewayFixture();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static Stream<Path> cases() throws Exception {
    URL dir = JsonRpcCasesTest.class.getResource("/jsonrpc-cases");
    if (dir == null) {
      throw new IllegalStateException("jsonrpc-cases resource directory is missing");
    }
    Path root = toPath(dir);
    try (Stream<Path> files = Files.list(root)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  private static Path toPath(URL url) throws URISyntaxException {
    return Path.of(url.toURI());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gatewayAnswersAsTheCaseSays(Path caseFile) throws Exception {
    JsonNode spec = JSON.readTree(Files.readAllBytes(caseFile));
    String path = spec.path("path").asText("/" + GatewayFixture.CHAIN);
    String contentType = spec.path("contentType").asText("application/json");
    String body =
        spec.has("requestText") ? spec.get("requestText").textValue() : JSON.writeValueAsString(spec.get("request"));

    HttpResponse<String> response = gateway.post(path, contentType, body);

    String what = spec.path("description").asText();
    assertEquals(spec.path("status").asInt(200), response.statusCode(), what);
    if (spec.path("emptyBody").asBoolean(false)) {
      assertEquals("", response.body(), what);
      return;
    }
    assertEquals(
        "application/json", response.headers().firstValue("content-type").orElse(""), what);
    if (spec.has("responseText")) {
      assertEquals(spec.get("responseText").textValue(), response.body(), what);
    } else if (spec.has("responseMatches")) {
      assertSubset(spec.get("responseMatches"), JSON.readTree(response.body()), what);
    } else if (spec.has("response")) {
      assertEquals(spec.get("response"), JSON.readTree(response.body()), what + "\nbody: " + response.body());
    } else {
      fail("case " + caseFile.getFileName() + " states no expected response");
    }
  }

  private static void assertSubset(JsonNode expected, JsonNode actual, String what) {
    if (!expected.isObject()) {
      assertEquals(expected, actual, what);
      return;
    }
    assertTrue(actual.isObject(), what + ": expected an object, got " + actual);
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> member = it.next();
      assertTrue(actual.has(member.getKey()), what + ": missing " + member.getKey() + " in " + actual);
      assertSubset(member.getValue(), actual.get(member.getKey()), what);
    }
  }
}
