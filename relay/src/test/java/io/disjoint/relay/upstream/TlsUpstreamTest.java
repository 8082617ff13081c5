package io.disjoint.relay.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** https:// and wss:// upstreams against real TLS servers on loopback (JDK TLS, keytool certificates). */
class TlsUpstreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] REQUEST = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\",\"params\":[]}"
      .getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private HttpsServer https;
  private EventLoopGroup wssGroup;
  private HttpUpstreamClient client;
  private final AtomicInteger served = new AtomicInteger();

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (https != null) {
      https.stop(0);
    }
    if (wssGroup != null) {
      wssGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }

  private static byte[] answer(byte[] request) throws Exception {
    JsonNode req = JSON.readTree(request);
    ObjectNode out = JSON.createObjectNode().put("jsonrpc", "2.0");
    out.set("id", req.get("id"));
    out.put("result", "0x7a69");
    return JSON.writeValueAsBytes(out);
  }

  private URI startHttps(TestCertificates cert) throws Exception {
    https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(cert.serverContext()));
    https.createContext("/", exchange -> {
      try (exchange) {
        byte[] body;
        try {
          body = answer(exchange.getRequestBody().readAllBytes());
        } catch (Exception e) {
          exchange.sendResponseHeaders(400, -1);
          return;
        }
        served.incrementAndGet();
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    https.start();
    return URI.create("https://127.0.0.1:" + https.getAddress().getPort() + "/rpc");
  }

  private URI startWss(TestCertificates cert) throws Exception {
    wssGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    javax.net.ssl.SSLContext ctx = cert.serverContext();
    Channel server = new ServerBootstrap().group(wssGroup).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            SSLEngine engine = ctx.createSSLEngine();
            engine.setUseClientMode(false);
            ch.pipeline().addLast(new SslHandler(engine), new HttpServerCodec(), new HttpObjectAggregator(65536),
                new WebSocketServerProtocolHandler("/ws"), new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext c, TextWebSocketFrame frame) throws Exception {
                    served.incrementAndGet();
                    byte[] body = answer(frame.text().getBytes(StandardCharsets.UTF_8));
                    c.writeAndFlush(new TextWebSocketFrame(new String(body, StandardCharsets.UTF_8)));
                  }
                });
          }
        }).bind("127.0.0.1", 0).sync().channel();
    return URI.create("wss://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/ws");
  }

  private HttpUpstreamClient client(URI url, UpstreamTls tls) {
    client = HttpUpstreamClient.start(UpstreamConfig.builder(url).tls(tls).noHeadSubscription()
        .headPollInterval(Duration.ofHours(1)).connectTimeout(Duration.ofSeconds(5)).build(), Clock.systemUTC());
    return client;
  }

  @Test
  void httpsUpstreamAnswersOverAVerifiedConnection() throws Exception {
    TestCertificates cert = TestCertificates.create(dir, "ip:127.0.0.1");
    HttpUpstreamClient c = client(startHttps(cert), UpstreamTls.trusting(cert.trust()));
    for (int i = 0; i < 3; i++) { // the second and third reuse the pooled TLS connection
      JsonNode r = JSON.readTree(c.send(REQUEST, Duration.ofSeconds(10)).join());
      assertEquals(7, r.get("id").asInt());
      assertEquals("0x7a69", r.get("result").asText());
    }
  }

  @Test
  void anUntrustedCertificateFailsRetryablyAndSendsNothing() throws Exception {
    TestCertificates cert = TestCertificates.create(dir, "ip:127.0.0.1");
    HttpUpstreamClient c = client(startHttps(cert), UpstreamTls.systemTrust());
    CompletionException e = assertThrows(CompletionException.class, () -> c.send(REQUEST, Duration.ofSeconds(10)).join());
    UpstreamException u = assertInstanceOf(UpstreamException.class, e.getCause());
    assertTrue(u.retryable());
    assertTrue(u.getMessage().contains("TLS"), u.getMessage());
    assertEquals(0, served.get(), "no request went over an unverified connection");
  }

  @Test
  void aCertificateForAnotherHostIsRefused() throws Exception {
    TestCertificates cert = TestCertificates.create(dir, "dns:other.example");
    HttpUpstreamClient c = client(startHttps(cert), UpstreamTls.trusting(cert.trust()));
    CompletionException e = assertThrows(CompletionException.class, () -> c.send(REQUEST, Duration.ofSeconds(10)).join());
    assertTrue(e.getCause().getMessage().contains("TLS"), e.getCause().getMessage());
    assertEquals(0, served.get());
  }

  @Test
  void wssUpstreamAnswersOverAVerifiedConnection() throws Exception {
    TestCertificates cert = TestCertificates.create(dir, "ip:127.0.0.1");
    HttpUpstreamClient c = client(startWss(cert), UpstreamTls.trusting(cert.trust()));
    JsonNode r = JSON.readTree(c.send(REQUEST, Duration.ofSeconds(10)).join());
    assertEquals(7, r.get("id").asInt());
    assertEquals("0x7a69", r.get("result").asText());
    assertTrue(served.get() >= 1, "the wss server answered (the head tracker may have asked too)");
  }

  @Test
  void secureSchemesHaveTheirDefaultsAndTwins() {
    UpstreamConfig https = UpstreamConfig.of(URI.create("https://rpc.example/v1"));
    assertTrue(https.secure());
    assertEquals(443, https.port());
    assertEquals(URI.create("wss://rpc.example/v1"), https.headSubscriptionUrl().orElseThrow());
    UpstreamConfig wss = UpstreamConfig.of(URI.create("wss://rpc.example:8546"));
    assertTrue(wss.webSocket() && wss.secure());
    assertEquals(8546, wss.port());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UpstreamConfig.of(URI.create("ftp://rpc.example")));
    assertTrue(e.getMessage().contains("http://, https://, ws:// or wss://"), e.getMessage());
  }
}
