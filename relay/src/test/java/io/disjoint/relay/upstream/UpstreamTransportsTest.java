package io.disjoint.relay.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.disjoint.p2p.transport.IoTransport;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream client on every available Netty transport, against a real anvil: HTTP through its
 * own loop and through a caller's loop, the newHeads subscription over WebSocket, and a ws://
 * upstream. Each socket is of the loop's transport (a mismatch fails registration, so an answer
 * at all shows the classes fit).
 */
class UpstreamTransportsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final byte[] CHAIN_ID =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}".getBytes(StandardCharsets.UTF_8);
  private EventLoopGroup group;

  static Stream<IoTransport> availableTransports() {
    return Arrays.stream(IoTransport.values()).filter(IoTransport::isAvailable);
  }

  @AfterEach
  void stop() {
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static String result(byte[] body) throws Exception {
    JsonNode answer = JsonRpcMapper.SHARED.readTree(body);
    return answer.get("result").asText();
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("availableTransports")
  void httpPoolsAndTheHeadSubscriptionRunOnTheGroupsTransport(IoTransport io) throws Exception {
    group = new MultiThreadIoEventLoopGroup(2, io.ioHandlerFactory());
    try (AnvilProcess anvil = AnvilProcess.start();
        HttpUpstreamClient client = HttpUpstreamClient.start(
            UpstreamConfig.builder(anvil.httpUrl()).headSubscriptionUrl(anvil.wsUrl())
                .headPollInterval(Duration.ofSeconds(30)).build(),
            group, Clock.systemUTC())) {
      await(client.headTracker()::subscribed, "newHeads subscription over " + io);

      assertEquals("0x7a69", result(client.send(CHAIN_ID, TIMEOUT).get(10, TimeUnit.SECONDS)));

      EventLoop caller = group.next();
      CompletableFuture<Boolean> onCaller = new CompletableFuture<>();
      caller.execute(() -> client.send(CHAIN_ID, TIMEOUT).whenComplete((body, e) -> {
        if (e != null) {
          onCaller.completeExceptionally(e);
        } else {
          onCaller.complete(caller.inEventLoop() && new String(body, StandardCharsets.UTF_8).contains("0x7a69"));
        }
      }));
      assertTrue(onCaller.get(10, TimeUnit.SECONDS), "answered on the calling " + io + " loop");
      assertTrue(client.openConnections() >= 1, "keep-alive connections: " + client.openConnections());

      JsonNode mined = JsonRpcMapper.SHARED.readTree(client.send(
          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"anvil_mine\",\"params\":[\"0x2\"]}".getBytes(StandardCharsets.UTF_8),
          TIMEOUT).get(10, TimeUnit.SECONDS));
      assertTrue(mined.has("result"), mined.toString());
      await(() -> client.head().number() == 2, "head 2 from newHeads over " + io);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("availableTransports")
  void aWebSocketUpstreamAnswersOverTheGroupsTransport(IoTransport io) throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, io.ioHandlerFactory());
    try (AnvilProcess anvil = AnvilProcess.start();
        HttpUpstreamClient client = HttpUpstreamClient.start(
            UpstreamConfig.builder(anvil.wsUrl()).noHeadSubscription().headPollInterval(Duration.ofSeconds(30)).build(),
            group, Clock.systemUTC())) {
      for (int i = 0; i < 3; i++) {
        assertEquals("0x7a69", result(client.send(CHAIN_ID, TIMEOUT).get(10, TimeUnit.SECONDS)));
      }
      assertEquals(0, client.openConnections(), "a ws:// upstream uses no HTTP pool");
    }
  }
}
