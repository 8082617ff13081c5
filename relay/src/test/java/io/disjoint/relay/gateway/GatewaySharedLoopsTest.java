package io.disjoint.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.route.RequestRouter;
import io.disjoint.relay.route.RouteRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway on event loops it does not own (the libp2p host's, in the node): every connection
 * lands on the loop the placement picks, requests are routed on that loop's thread, and closing
 * the gateway closes its connections but leaves the loops running for their owner.
 */
class GatewaySharedLoopsTest {
  private static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_blockNumber\",\"params\":[]}";

  private final boolean epoll = Epoll.isAvailable();
  private final IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  private final EventLoopGroup shared = new MultiThreadIoEventLoopGroup(3, io);

  /** Answers at once on the calling thread and records which loop that was. */
  private static final class LoopRecordingRouter implements RequestRouter {
    final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<ObjectNode> route(RouteRequest request) {
      threads.add(Thread.currentThread());
      ObjectNode response = JsonNodeFactory.instance.objectNode();
      response.put("jsonrpc", "2.0");
      response.put("result", "0x2a");
      return CompletableFuture.completedFuture(response);
    }
  }

  @AfterEach
  void stop() {
    shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void connectionsRunOnThePlacedLoopAndClosingLeavesTheLoopsToTheirOwner() throws Exception {
    EventLoop chosen = shared.next();
    Thread chosenThread = chosen.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
    LoopRecordingRouter router = new LoopRecordingRouter();
    GatewayServer gateway =
        new GatewayServer(
            GatewayFixture.defaults().build(), router, chain -> 1, new WebSocketSessions(), Clock.systemUTC(),
            new SimpleMeterRegistry());
    gateway.start(new GatewayEventLoops(shared, () -> chosen));
    try (RawHttp a = connect(gateway); RawHttp b = connect(gateway)) {
      for (int i = 0; i < 3; i++) {
        assertTrue(exchange(a).contains("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x2a\"}"));
        assertTrue(exchange(b).contains("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x2a\"}"));
      }
      assertEquals(6, router.threads.size());
      assertTrue(router.threads.stream().allMatch(t -> t == chosenThread),
          "every request is routed on the placed loop's thread: " + router.threads);

      gateway.close();
      assertTrue(a.closedByServer(), "the gateway closed its connection on close()");
      assertFalse(shared.isShuttingDown(), "the loops belong to their owner and keep running");
      assertEquals("still running", chosen.submit(() -> "still running").get(5, TimeUnit.SECONDS));
    } finally {
      gateway.close();
    }
  }

  @Test
  void roundRobinPlacementSpreadsConnectionsOverTheGroup() throws Exception {
    LoopRecordingRouter router = new LoopRecordingRouter();
    GatewayServer gateway =
        new GatewayServer(
            GatewayFixture.defaults().build(), router, chain -> 1, new WebSocketSessions(), Clock.systemUTC(),
            new SimpleMeterRegistry());
    gateway.start(GatewayEventLoops.roundRobin(shared));
    try (RawHttp a = connect(gateway); RawHttp b = connect(gateway); RawHttp c = connect(gateway)) {
      exchange(a);
      exchange(b);
      exchange(c);
      assertEquals(3, router.threads.stream().distinct().count(), "three connections on three loops: " + router.threads);
    } finally {
      gateway.close();
    }
  }

  private static RawHttp connect(GatewayServer gateway) throws Exception {
    return new RawHttp(gateway.address().getPort());
  }

  /** One keep-alive POST; returns the response body. */
  private static String exchange(RawHttp client) throws Exception {
    client.write(RawHttp.post("/" + GatewayFixture.CHAIN, BODY));
    RawHttp.Response response = client.read();
    assertEquals(200, response.status());
    return response.body();
  }
}
