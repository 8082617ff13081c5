package io.disjoint.relay.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The upstream client against a real anvil, and against real misbehaving HTTP servers. */
class HttpUpstreamClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode json(byte[] body) throws IOException {
    return JsonRpcMapper.SHARED.readTree(body);
  }

  private static UpstreamException failure(CompletableFuture<byte[]> future) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(UpstreamException.class, e.getCause());
  }

  private static UpstreamConfig.Builder quiet(URI url) {
    return UpstreamConfig.builder(url).noHeadSubscription().headPollInterval(Duration.ofSeconds(30));
  }

  @Test
  void answersFromAnvilIncludingBatchesAndJsonRpcErrors() throws Exception {
    try (AnvilProcess anvil = AnvilProcess.start(AnvilProcess.options().chainId(1337));
        HttpUpstreamClient client = HttpUpstreamClient.start(quiet(anvil.httpUrl()).build(), Clock.systemUTC())) {
      JsonNode chainId = json(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\",\"params\":[]}"), TIMEOUT).get());
      assertEquals("0x539", chainId.get("result").asText());
      assertEquals(7, chainId.get("id").asInt());

      JsonNode batch = json(client.send(bytes("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]},"
          + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"net_version\",\"params\":[]}]"), TIMEOUT).get());
      assertEquals(2, batch.size());
      assertEquals("1337", batch.get(1).get("result").asText());

      // a JSON-RPC error is an answer, not a failure
      JsonNode error = json(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_getBalance\",\"params\":[\"not-an-address\"]}"), TIMEOUT).get());
      assertTrue(error.has("error"), error.toString());
      assertFalse(error.has("result"));
    }
  }

  @Test
  void aRequestSentFromAnEventLoopIsAnsweredOnThatLoopWithoutAHop() throws Exception {
    io.netty.channel.EventLoopGroup nio = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
        io.netty.channel.nio.NioIoHandler.newFactory());
    io.netty.channel.EventLoopGroup epoll = io.netty.channel.epoll.Epoll.isAvailable()
        ? new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.epoll.EpollIoHandler.newFactory()) : null;
    try (AnvilProcess anvil = AnvilProcess.start();
        HttpUpstreamClient client = HttpUpstreamClient.start(quiet(anvil.httpUrl()).build(), Clock.systemUTC())) {
      List<io.netty.channel.EventLoopGroup> callers = new ArrayList<>(List.of(nio));
      if (epoll != null) {
        callers.add(epoll);
      }
      for (io.netty.channel.EventLoopGroup group : callers) {
        io.netty.channel.EventLoop caller = group.next();
        for (int i = 0; i < 3; i++) {
          CompletableFuture<Boolean> answeredOnCaller = new CompletableFuture<>();
          caller.execute(() -> client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"), TIMEOUT)
              .whenComplete((body, e) -> {
                if (e != null) {
                  answeredOnCaller.completeExceptionally(e);
                } else {
                  answeredOnCaller.complete(caller.inEventLoop() && new String(body, StandardCharsets.UTF_8).contains("0x7a69"));
                }
              }));
          assertTrue(answeredOnCaller.get(10, TimeUnit.SECONDS), "answered on the calling loop " + group);
        }
      }
      // at least one keep-alive connection per calling loop (the head tracker's is on the client's own loop)
      assertTrue(client.openConnections() >= callers.size(), "connections: " + client.openConnections());
      // a plain thread still goes through the client's own loop
      assertEquals("0x7a69", json(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_chainId\",\"params\":[]}"), TIMEOUT)
          .get(10, TimeUnit.SECONDS)).get("result").asText());
    } finally {
      nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      if (epoll != null) {
        epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  @Test
  void manyConcurrentRequestsShareABoundedPool() throws Exception {
    try (AnvilProcess anvil = AnvilProcess.start();
        HttpUpstreamClient client = HttpUpstreamClient.start(quiet(anvil.httpUrl()).maxConnections(4).build(), Clock.systemUTC())) {
      List<CompletableFuture<byte[]>> answers = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        answers.add(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"eth_chainId\",\"params\":[]}"), TIMEOUT));
      }
      for (int i = 0; i < answers.size(); i++) {
        JsonNode answer = json(answers.get(i).get(10, TimeUnit.SECONDS));
        assertEquals(i, answer.get("id").asInt(), "each answer belongs to its own request");
        assertEquals("0x7a69", answer.get("result").asText());
      }
      int open = client.openConnections();
      assertTrue(open >= 1 && open <= 4, "open connections " + open);
    }
  }

  @Test
  void anvilKilledMidwayGivesRetryableFailuresThatDoNotLeakTheAddress() throws Exception {
    AnvilProcess anvil = AnvilProcess.start();
    try (HttpUpstreamClient client = HttpUpstreamClient.start(quiet(anvil.httpUrl()).build(), Clock.systemUTC())) {
      json(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}"), TIMEOUT).get());
      anvil.kill();
      UpstreamException e = failure(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_chainId\"}"), TIMEOUT));
      assertTrue(e.retryable());
      assertFalse(e.getMessage().contains("127.0.0.1"), e.getMessage());
      assertFalse(e.getMessage().contains(Integer.toString(anvil.port())), e.getMessage());
    } finally {
      anvil.close();
    }
  }

  @Test
  void hungUpstreamTimesOutRetryably() throws Exception {
    try (ServerSocket hung = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = Thread.ofVirtual().start(() -> {
        try {
          while (true) {
            accepted.add(hung.accept()); // read nothing, answer nothing
          }
        } catch (IOException closed) {
          // test over
        }
      });
      URI url = URI.create("http://127.0.0.1:" + hung.getLocalPort());
      try (HttpUpstreamClient client = HttpUpstreamClient.start(quiet(url).build(), Clock.systemUTC())) {
        long start = System.nanoTime();
        UpstreamException e = failure(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}"), Duration.ofMillis(200)));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.retryable());
        assertEquals("upstream timed out after 200 ms", e.getMessage());
        assertTrue(tookMillis >= 150 && tookMillis < 3_000, "took " + tookMillis);
      } finally {
        hung.close();
        acceptor.join(2_000);
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  @Test
  void nothingListeningIsARetryableConnectFailure() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    try (HttpUpstreamClient client = HttpUpstreamClient.start(quiet(URI.create("http://127.0.0.1:" + port)).build(), Clock.systemUTC())) {
      UpstreamException e = failure(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}"), TIMEOUT));
      assertTrue(e.retryable());
      assertEquals("upstream unreachable (connect failed)", e.getMessage());
    }
  }

  @Test
  void httpStatusesAreSortedByWhoseFaultTheyAre() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      exchange.getRequestBody().readAllBytes();
      int status;
      String body;
      switch (path) {
        case "/ratelimited" -> { status = 429; body = "slow down"; }
        case "/broken" -> { status = 503; body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"down\"}}"; }
        case "/rpc-error" -> { status = 400; body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"invalid params\"}}"; }
        case "/html" -> { status = 404; body = "<html>not here</html>"; }
        case "/huge" -> { status = 200; body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"" + "a".repeat(5_000) + "\"}"; }
        default -> { status = 200; body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}"; }
      }
      byte[] out = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, out.length);
      exchange.getResponseBody().write(out);
      exchange.close();
    });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    byte[] request = bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}");
    try {
      try (HttpUpstreamClient c = HttpUpstreamClient.start(quiet(URI.create(base + "/ratelimited")).build(), Clock.systemUTC())) {
        UpstreamException e = failure(c.send(request, TIMEOUT));
        assertTrue(e.retryable());
        assertEquals("upstream rate limited the request (HTTP 429)", e.getMessage());
      }
      try (HttpUpstreamClient c = HttpUpstreamClient.start(quiet(URI.create(base + "/broken")).build(), Clock.systemUTC())) {
        assertTrue(failure(c.send(request, TIMEOUT)).retryable());
      }
      try (HttpUpstreamClient c = HttpUpstreamClient.start(quiet(URI.create(base + "/rpc-error")).build(), Clock.systemUTC())) {
        assertEquals(-32602, json(c.send(request, TIMEOUT).get()).get("error").get("code").asInt(), "a JSON-RPC error body is an answer");
      }
      try (HttpUpstreamClient c = HttpUpstreamClient.start(quiet(URI.create(base + "/html")).build(), Clock.systemUTC())) {
        UpstreamException e = failure(c.send(request, TIMEOUT));
        assertTrue(e.retryable());
        assertFalse(e.getMessage().contains("html"), "the body is not quoted: " + e.getMessage());
      }
      try (HttpUpstreamClient c = HttpUpstreamClient.start(quiet(URI.create(base + "/huge")).maxResponseBytes(4_096).build(), Clock.systemUTC())) {
        UpstreamException e = failure(c.send(request, TIMEOUT));
        assertFalse(e.retryable(), "any node would send the same too-large answer");
        // the pool recovers: the next request gets a fresh connection
        assertFalse(failure(c.send(request, TIMEOUT)).retryable());
      }
      try (HttpUpstreamClient c = HttpUpstreamClient.start(quiet(URI.create(base + "/fine")).build(), Clock.systemUTC())) {
        assertEquals("0x1", json(c.send(request, TIMEOUT).get()).get("result").asText());
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void webSocketUpstreamRestoresTheCallersIds() throws Exception {
    try (AnvilProcess anvil = AnvilProcess.start();
        HttpUpstreamClient client = HttpUpstreamClient.start(
            UpstreamConfig.builder(anvil.wsUrl()).noHeadSubscription().headPollInterval(Duration.ofSeconds(30)).build(),
            Clock.systemUTC())) {
      JsonNode single = json(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"eth_chainId\",\"params\":[]}"), TIMEOUT).get());
      assertEquals("abc", single.get("id").asText());
      assertEquals("0x7a69", single.get("result").asText());
      JsonNode batch = json(client.send(bytes("[{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"eth_chainId\",\"params\":[]},"
          + "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"net_version\",\"params\":[]}]"), TIMEOUT).get());
      assertEquals(2, batch.size());
      for (JsonNode answer : batch) {
        if (answer.get("id").isNull()) {
          assertEquals("31337", answer.get("result").asText());
        } else {
          assertEquals(10, answer.get("id").asInt());
          assertEquals("0x7a69", answer.get("result").asText());
        }
      }
      List<CompletableFuture<byte[]>> many = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        many.add(client.send(bytes("{\"jsonrpc\":\"2.0\",\"id\":" + (1000 + i) + ",\"method\":\"eth_blockNumber\",\"params\":[]}"), TIMEOUT));
      }
      for (int i = 0; i < many.size(); i++) {
        assertEquals(1000 + i, json(many.get(i).get(10, TimeUnit.SECONDS)).get("id").asInt());
      }
    }
  }

  /** Reads one HTTP request (headers and Content-Length body); false at end of stream. */
  private static boolean readRequest(java.io.InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      head.append((char) b);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    if (b == -1) {
      return false;
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return true;
  }

  @Test
  void aKeepAliveConnectionClosedByTheServerIsRetriedOnceOnAFreshOne() throws Exception {
    java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor = Thread.ofVirtual().start(() -> {
        try {
          while (true) {
            Socket socket = server.accept();
            connections.incrementAndGet();
            Thread.ofVirtual().start(() -> {
              try (socket) {
                // answers the first request, then closes when a second one comes, unanswered:
                // what a server that just timed out an idle keep-alive connection does
                if (readRequest(socket.getInputStream())) {
                  byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}".getBytes(StandardCharsets.UTF_8);
                  socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                      + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                  socket.getOutputStream().write(body);
                  socket.getOutputStream().flush();
                  readRequest(socket.getInputStream());
                }
              } catch (IOException ignored) {
                // client went away
              }
            });
          }
        } catch (IOException closed) {
          // test over
        }
      });
      URI url = URI.create("http://127.0.0.1:" + server.getLocalPort());
      try (HttpUpstreamClient client = HttpUpstreamClient.start(quiet(url).maxConnections(1).build(), Clock.systemUTC())) {
        byte[] request = bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}");
        assertEquals("0x1", json(client.send(request, TIMEOUT).get()).get("result").asText());
        assertEquals("0x1", json(client.send(request, TIMEOUT).get()).get("result").asText(),
            "the second request, refused on the reused connection, succeeded on a new one");
        // the head tracker's first poll shares the single connection, so there may be one more
        assertTrue(connections.get() >= 2, "a fresh connection was opened for the retry");
      } finally {
        server.close();
        acceptor.join(2_000);
      }
    }
  }
}
