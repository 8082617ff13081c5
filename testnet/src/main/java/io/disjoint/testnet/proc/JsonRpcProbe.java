package io.disjoint.testnet.proc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.testnet.TestnetException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A minimal JSON-RPC client over HTTP for readiness checks and control calls (anvil_mine ...). */
public final class JsonRpcProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final URI url;
  private final AtomicLong ids = new AtomicLong();

  public JsonRpcProbe(URI url) {
    this.url = url;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
  }

  public URI url() {
    return url;
  }

  /** Calls a method and returns the whole response object (result or error). */
  public JsonNode call(String method, String paramsJson, Duration timeout) throws IOException {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + ids.incrementAndGet() + ",\"method\":\"" + method
        + "\",\"params\":" + paramsJson + "}";
    HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        throw new IOException(url + " answered HTTP " + resp.statusCode() + ": " + resp.body());
      }
      return JSON.readTree(resp.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Calls a method and returns its result; a JSON-RPC error becomes an exception. */
  public JsonNode result(String method, String paramsJson) {
    try {
      JsonNode resp = call(method, paramsJson, Duration.ofSeconds(10));
      if (resp.has("error")) {
        throw new TestnetException(method + " at " + url + " failed: " + resp.get("error"));
      }
      return resp.get("result");
    } catch (IOException e) {
      throw new TestnetException(method + " at " + url + " failed: " + e.getMessage(), e);
    }
  }

  public long blockNumber() {
    return Long.decode(result("eth_blockNumber", "[]").asText());
  }

  /** Polls {@code method} until it answers without error or the timeout passes. */
  public boolean awaitAnswer(String method, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        JsonNode r = call(method, "[]", Duration.ofSeconds(2));
        if (r.has("result")) {
          return true;
        }
      } catch (IOException e) {
        // not up yet
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }
}
