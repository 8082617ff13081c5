package io.disjoint.relay.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bytes the upstream client puts on the wire, read by a plain socket server: a well-formed
 * HTTP/1.1 POST with the pool's fixed headers and the exact body, several on one keep-alive
 * connection; and answers framed by Content-Length or chunked are both read whole.
 */
class UpstreamWireTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** One request as the server read it. */
  private record Seen(String requestLine, Map<String, String> headers, String body) {}

  /** Reads requests off one connection and answers each, alternating the two framings. */
  private static void serve(Socket socket, List<Seen> seen) throws IOException {
    InputStream in = socket.getInputStream();
    OutputStream out = socket.getOutputStream();
    for (int n = 0; ; n++) {
      String requestLine = line(in);
      if (requestLine == null) {
        return;
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      String text = new String(body, StandardCharsets.UTF_8);
      seen.add(new Seen(requestLine, headers, text));
      String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"result\":\"" + text.length() + "\"}";
      byte[] a = answer.getBytes(StandardCharsets.UTF_8);
      String head = n % 2 == 0
          ? "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + a.length + "\r\n\r\n"
          : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      if (n % 2 == 0) {
        out.write(a);
      } else {
        int half = a.length / 2;
        out.write((Integer.toHexString(half) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(a, 0, half);
        out.write(("\r\n" + Integer.toHexString(a.length - half) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(a, half, a.length - half);
        out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      out.flush();
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return null;
  }

  @Test
  void requestsAreWellFormedPostsAndBothAnswerFramingsAreRead() throws Exception {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = Thread.ofVirtual().start(() -> {
        try {
          while (!server.isClosed()) {
            Socket s = server.accept();
            accepted.add(s);
            Thread.ofVirtual().start(() -> {
              try (s) {
                serve(s, seen);
              } catch (IOException e) {
                // the client closed
              }
            });
          }
        } catch (IOException e) {
          // server closed at the end of the test
        }
      });
      List<String> bodies;
      URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/rpc/v1?key=abc");
      try (HttpUpstreamClient client = HttpUpstreamClient.start(
          UpstreamConfig.builder(url).noHeadSubscription().headPollInterval(Duration.ofMinutes(5)).maxConnections(1).build(),
          Clock.systemUTC())) {
        bodies = List.of(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_call\",\"params\":[{\"data\":\"0x" + "ab".repeat(5_000) + "\"},\"latest\"]}",
            "[{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"net_version\"},{\"jsonrpc\":\"2.0\",\"id\":\"é\",\"method\":\"x\"}]",
            "{}");
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        for (String body : bodies) {
          answers.add(client.send(body.getBytes(StandardCharsets.UTF_8), TIMEOUT));
        }
        for (int i = 0; i < bodies.size(); i++) {
          String answer = new String(answers.get(i).get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
          int chars = bodies.get(i).length();
          assertTrue(answer.endsWith("\"result\":\"" + chars + "\"}"), "answer " + i + " read whole: " + answer);
        }
      }
      assertEquals(1, accepted.size(), "one keep-alive connection for all requests (maxConnections 1)");
      // the head tracker's first poll may come first on the connection; answers alternate framing,
      // so among 4+ answers both Content-Length and chunked ones were read
      assertTrue(seen.size() >= 4, "requests seen: " + seen.size());
      List<String> seenBodies = seen.stream().map(Seen::body).toList();
      for (Seen s : seen) {
        assertEquals("POST /rpc/v1?key=abc HTTP/1.1", s.requestLine());
        assertEquals("127.0.0.1:" + server.getLocalPort(), s.headers().get("host"));
        assertEquals("application/json", s.headers().get("content-type"));
        assertEquals("application/json", s.headers().get("accept"));
        assertEquals(Integer.toString(s.body().getBytes(StandardCharsets.UTF_8).length), s.headers().get("content-length"));
      }
      assertTrue(seenBodies.containsAll(bodies), "every body arrives exactly as given (10 KB, UTF-8): " + seenBodies);
      acceptor.interrupt();
    }
  }
}
