package io.disjoint.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.p2p.transport.IoTransport;
import io.disjoint.relay.route.RequestRouter;
import io.disjoint.relay.route.RouteRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The gateway on loops of every available Netty transport, and the checks on its loop record. */
class GatewayTransportsTest {
  private static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"eth_blockNumber\",\"params\":[]}";
  private final List<EventLoopGroup> groups = new java.util.ArrayList<>();

  static Stream<IoTransport> availableTransports() {
    return Arrays.stream(IoTransport.values()).filter(IoTransport::isAvailable);
  }

  /** Answers at once and records the loop threads requests were routed on. */
  private static final class ThreadRecordingRouter implements RequestRouter {
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    @Override
    public CompletableFuture<ObjectNode> route(RouteRequest request) {
      threads.add(Thread.currentThread());
      ObjectNode response = JsonNodeFactory.instance.objectNode();
      response.put("jsonrpc", "2.0");
      response.put("result", "0x2a");
      return CompletableFuture.completedFuture(response);
    }
  }

  private EventLoopGroup group(IoTransport io, int threads) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, io.ioHandlerFactory());
    groups.add(group);
    return group;
  }

  @AfterEach
  void stop() {
    groups.forEach(g -> g.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("availableTransports")
  void servesKeepAliveRequestsOnSharedLoopsOfEachTransport(IoTransport io) throws Exception {
    EventLoopGroup shared = group(io, 2);
    ThreadRecordingRouter router = new ThreadRecordingRouter();
    GatewayServer gateway = new GatewayServer(GatewayFixture.defaults().build(), router, chain -> 1,
        new WebSocketSessions(), Clock.systemUTC(), new SimpleMeterRegistry());
    GatewayEventLoops loops = GatewayEventLoops.roundRobin(shared);
    assertEquals(io, loops.transport());
    gateway.start(loops);
    try (RawHttp a = new RawHttp(gateway.address().getPort()); RawHttp b = new RawHttp(gateway.address().getPort())) {
      for (int i = 0; i < 5; i++) {
        for (RawHttp client : List.of(a, b)) {
          client.write(RawHttp.post("/" + GatewayFixture.CHAIN, BODY));
          RawHttp.Response response = client.read();
          assertEquals(200, response.status());
          assertTrue(response.body().contains("{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":\"0x2a\"}"), response.body());
        }
      }
      Set<Thread> loopThreads = ConcurrentHashMap.newKeySet();
      for (io.netty.util.concurrent.EventExecutor e : shared) {
        loopThreads.add(e.submit(Thread::currentThread).get(5, TimeUnit.SECONDS));
      }
      assertEquals(loopThreads, router.threads, "two connections, round robin over the two " + io + " loops");
    } finally {
      gateway.close();
    }
  }

  @Test
  void loopsOfOneTransportCannotBeDeclaredAsAnother() {
    EventLoopGroup nio = group(IoTransport.NIO, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GatewayEventLoops(nio, IoTransport.EPOLL, nio::next));
    assertTrue(e.getMessage().contains("nio loops, not epoll"), e.getMessage());
    assertEquals(IoTransport.NIO, new GatewayEventLoops(nio, nio::next).transport());
  }
}
