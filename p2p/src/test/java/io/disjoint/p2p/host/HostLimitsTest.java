package io.disjoint.p2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.HostListener;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.yamux.YamuxFlags;
import io.disjoint.p2p.yamux.YamuxFrameType;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostLimitsTest {
  private final HostTestSupport hosts = new HostTestSupport();

  @AfterEach
  void stop() {
    hosts.close();
  }

  private static Connection dial(Libp2pHost from, Libp2pHost to) {
    return from.dial(to.listenAddrs().get(0).withPeerId(to.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void inboundStreamsAreLimitedPerPeerAcrossItsConnections() {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start(HostConfig.builder().maxInboundStreamsPerPeer(4));
    TwoHostTest.installUpperServer(b);
    Connection first = dial(a, b);
    Connection second = dial(a, b);
    assertTrue(first != second);
    List<CompletableFuture<Stream>> opens = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      opens.add(first.newStream(TwoHostTest.ECHO_UPPER));
      opens.add(second.newStream(TwoHostTest.ECHO_UPPER));
    }
    int ok = 0;
    int refused = 0;
    for (CompletableFuture<Stream> open : opens) {
      try {
        open.orTimeout(10, TimeUnit.SECONDS).join();
        ok++;
      } catch (CompletionException e) {
        refused++;
      }
    }
    // Identify streams may hold a slot for a moment, so at most 4 application streams fit.
    assertTrue(ok <= 4, "at most 4 inbound streams per peer, got " + ok);
    assertTrue(refused >= 2);
    assertTrue(first.isOpen() && second.isOpen(), "refusing streams keeps the connections");
  }

  @Test
  void connectionsPerPeerAreLimited() throws InterruptedException {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start(HostConfig.builder().maxConnectionsPerPeer(2));
    List<Connection> conns = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      try {
        conns.add(dial(a, b));
      } catch (CompletionException refusedDuringHandshake) {
        // b may close before a has registered the connection
      }
    }
    awaitTrue(() -> b.connections().size() == 2 && a.connections().size() == 2,
        "each side keeps exactly 2 connections (a " + a.connections().size() + ", b " + b.connections().size() + ")");
    assertEquals(1, b.refusedConnections());
  }

  @Test
  void totalConnectionsAreLimited() throws IOException {
    Libp2pHost b = hosts.start(HostConfig.builder().maxConnections(2));
    try (Socket s1 = new Socket(); Socket s2 = new Socket(); Socket s3 = new Socket()) {
      s1.connect(b.listenAddrs().get(0).toTcpSocketAddress());
      s2.connect(b.listenAddrs().get(0).toTcpSocketAddress());
      s3.connect(b.listenAddrs().get(0).toTcpSocketAddress());
      int closed = 0;
      for (Socket s : List.of(s1, s2, s3)) {
        s.setSoTimeout(1000);
        try {
          if (s.getInputStream().read() < 0) {
            closed++;
          }
        } catch (SocketTimeoutException open) {
          // still served
        } catch (IOException reset) {
          closed++;
        }
      }
      assertEquals(1, closed);
    }
  }

  @Test
  void streamThatNeverNegotiatesIsReset() throws Exception {
    Libp2pHost b = hosts.start(HostConfig.builder().streamNegotiationTimeout(Duration.ofMillis(300)));
    try (RawSecuredPeer raw = new RawSecuredPeer(b.listenAddrs().get(0).toTcpSocketAddress(), b.peerId())) {
      raw.sendFrame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 1, 0, null);
      raw.flush();
      long deadline = System.currentTimeMillis() + 5000;
      RawSecuredPeer.Received reset = null;
      while (reset == null && System.currentTimeMillis() < deadline) {
        RawSecuredPeer.Received r = raw.frames.poll(100, TimeUnit.MILLISECONDS);
        if (r != null && r.streamId() == 1 && (r.flags() & YamuxFlags.RST) != 0) {
          reset = r;
        }
      }
      assertNotNull(reset, "silent stream reset after the negotiation timeout");
      assertTrue(raw.channel.isActive(), "only the stream is reset, not the connection");
    }
  }

  @Test
  void silentSecuredConnectionIsClosedAtTheIdleTimeout() {
    Libp2pHost b = hosts.start(HostConfig.builder()
        .idleTimeout(Duration.ofMillis(700))
        .keepAliveInterval(Duration.ZERO));
    try (RawSecuredPeer raw = new RawSecuredPeer(b.listenAddrs().get(0).toTcpSocketAddress(), b.peerId())) {
      long start = System.nanoTime();
      raw.closed.orTimeout(10, TimeUnit.SECONDS).join();
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(500),
          "closed by the idle timer, not at once");
    }
  }

  @Test
  void listenersSeeConnectAndDisconnect() throws InterruptedException {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start();
    List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    b.addListener(new HostListener() {
      @Override
      public void onConnected(Connection c) {
        events.add("connected " + c.remotePeer());
      }

      @Override
      public void onDisconnected(Connection c) {
        events.add("disconnected " + c.remotePeer());
      }
    });
    Connection c = dial(a, b);
    c.close().orTimeout(10, TimeUnit.SECONDS).join();
    awaitTrue(() -> events.size() == 2, "both events arrived: " + events);
    assertEquals(List.of("connected " + a.peerId(), "disconnected " + a.peerId()), events);
    assertFalse(c.isOpen());
    assertTrue(b.connections().isEmpty());
  }

  @Test
  void dialingAStoppedOrUnreachableHostFailsCleanly() {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start();
    var addr = b.listenAddrs().get(0).withPeerId(b.peerId());
    b.stop().orTimeout(10, TimeUnit.SECONDS).join();
    assertThrows(CompletionException.class, () -> a.dial(addr).orTimeout(10, TimeUnit.SECONDS).join());
    assertTrue(a.connections().isEmpty());
  }
}
