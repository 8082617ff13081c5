package io.disjoint.p2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.wire.Uvarint;
import io.disjoint.p2p.yamux.YamuxConfig;
import io.disjoint.p2p.yamux.YamuxFlags;
import io.disjoint.p2p.yamux.YamuxFrameType;
import io.disjoint.p2p.yamux.YamuxGoAwayCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Misbehaving peers over real TCP: each must lose only its own connection or stream while the
 * host keeps serving a well-behaved peer.
 */
class HostBadInputTest {
  private final HostTestSupport hosts = new HostTestSupport();

  @AfterEach
  void stop() {
    hosts.close();
  }

  private static InetSocketAddress addressOf(Libp2pHost host) {
    return host.listenAddrs().get(0).toTcpSocketAddress();
  }

  /** A fresh well-behaved host connects to {@code target}, pings it and identifies it. */
  private void assertStillServes(Libp2pHost target) {
    Libp2pHost good = hosts.start();
    Connection c = good.dial(target.listenAddrs().get(0).withPeerId(target.peerId()))
        .orTimeout(10, TimeUnit.SECONDS).join();
    assertTrue(c.isOpen());
    Duration rtt = good.ping().ping(target.peerId()).orTimeout(10, TimeUnit.SECONDS).join();
    assertTrue(rtt.toNanos() > 0);
  }

  /** Reads until the server closes; returns the bytes read, fails if it stays open. */
  private static byte[] readUntilClosed(Socket socket, int timeoutMs) throws IOException {
    socket.setSoTimeout(timeoutMs);
    InputStream in = socket.getInputStream();
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        got.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("server did not close the connection within " + timeoutMs + " ms");
    } catch (IOException reset) {
      // connection reset by the server also counts as closed
    }
    return got.toByteArray();
  }

  @Test
  void garbageBeforeMultistreamClosesThatConnection() throws IOException {
    Libp2pHost b = hosts.start();
    try (Socket s = new Socket()) {
      s.connect(addressOf(b));
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(0, readUntilClosed(s, 5000).length, "nothing is answered to garbage");
    }
    assertStillServes(b);
  }

  @Test
  void overLongMultistreamLineClosesThatConnection() throws IOException {
    Libp2pHost b = hosts.start();
    try (Socket s = new Socket()) {
      s.connect(addressOf(b));
      byte[] header = "/multistream/1.0.0\n".getBytes(StandardCharsets.US_ASCII);
      s.getOutputStream().write(header.length);
      s.getOutputStream().write(header);
      s.getOutputStream().write(Uvarint.encode(5000));
      s.getOutputStream().write(new byte[100]);
      readUntilClosed(s, 5000);
    }
    assertStillServes(b);
  }

  @Test
  void silentConnectionIsClosedAtTheHandshakeTimeout() throws IOException {
    Libp2pHost b = hosts.start(HostConfig.builder().handshakeTimeout(Duration.ofMillis(500)));
    try (Socket s = new Socket()) {
      s.connect(addressOf(b));
      long start = System.nanoTime();
      readUntilClosed(s, 5000);
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(400));
    }
    assertStillServes(b);
  }

  @Test
  void wrongPeerIdOnDialFailsAndTheHostsStillConnect() {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start();
    Libp2pHost c = hosts.start();
    Exception e = assertThrows(Exception.class, () -> a.dial(b.listenAddrs().get(0).withPeerId(c.peerId()))
        .orTimeout(10, TimeUnit.SECONDS).join());
    assertTrue(e.getMessage().contains(c.peerId().toString()), e.getMessage());
    assertTrue(a.connections().isEmpty());
    Connection ok = a.dial(b.listenAddrs().get(0).withPeerId(b.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals(b.peerId(), ok.remotePeer());
  }

  @Test
  void yamuxFramesForUnknownStreamsAreDropped() throws Exception {
    Libp2pHost b = hosts.start();
    try (RawSecuredPeer raw = new RawSecuredPeer(addressOf(b), b.peerId())) {
      raw.sendFrame(YamuxFrameType.DATA, 0, 1001, 5, new byte[5]);
      raw.sendFrame(YamuxFrameType.WINDOW_UPDATE, 0, 1003, 1 << 20, null);
      raw.sendFrame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.RST, 1005, 0, null);
      raw.sendFrame(YamuxFrameType.PING, YamuxFlags.SYN, 0, 4242, null);
      raw.flush();
      RawSecuredPeer.Received pong = raw.await(YamuxFrameType.PING, 5000);
      assertNotNull(pong, "session still answers after stray frames");
      assertEquals(YamuxFlags.ACK, pong.flags());
      assertEquals(4242, pong.length());
      assertTrue(raw.channel.isActive());
    }
    assertStillServes(b);
  }

  @Test
  void peerWithoutEarlyMuxerNegotiationSelectsYamuxWithMultistream() throws Exception {
    Libp2pHost b = hosts.start();
    try (RawSecuredPeer raw = new RawSecuredPeer(addressOf(b), b.peerId(), false)) {
      assertEquals("/yamux/1.0.0", raw.muxerSelected.join());
      raw.sendFrame(YamuxFrameType.PING, YamuxFlags.SYN, 0, 77, null);
      raw.flush();
      RawSecuredPeer.Received pong = raw.await(YamuxFrameType.PING, 5000);
      assertNotNull(pong, "yamux runs after the multistream muxer round");
      assertEquals(77, pong.length());
    }
  }

  @Test
  void windowOverrunClosesOnlyThatConnection() throws Exception {
    Libp2pHost b = hosts.start();
    try (RawSecuredPeer raw = new RawSecuredPeer(addressOf(b), b.peerId())) {
      raw.sendFrame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 1, 0, null);
      int tooMuch = YamuxConfig.INITIAL_WINDOW + 1;
      raw.sendFrame(YamuxFrameType.DATA, 0, 1, tooMuch, new byte[tooMuch]);
      raw.flush();
      RawSecuredPeer.Received goAway = raw.await(YamuxFrameType.GO_AWAY, 5000);
      assertNotNull(goAway);
      assertEquals(YamuxGoAwayCode.PROTOCOL_ERROR.code(), goAway.length());
      raw.closed.orTimeout(5, TimeUnit.SECONDS).join();
    }
    assertStillServes(b);
  }

  @Test
  void tenThousandStreamOpensWithoutReading() throws Exception {
    Libp2pHost b = hosts.start();
    try (RawSecuredPeer raw = new RawSecuredPeer(addressOf(b), b.peerId())) {
      raw.channel.config().setAutoRead(false);
      for (int i = 0; i < 10_000; i++) {
        raw.sendFrame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 2 * i + 1, 0, null);
        if (i % 500 == 499) {
          raw.flush();
        }
      }
      raw.flush();
      assertStillServes(b);
      raw.channel.config().setAutoRead(true);
      long expectedResets = 10_000 - YamuxConfig.DEFAULT_MAX_ACK_BACKLOG;
      long resets = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (resets < expectedResets && !raw.closed.isDone() && System.nanoTime() < deadline) {
        RawSecuredPeer.Received r = raw.frames.poll(100, TimeUnit.MILLISECONDS);
        if (r != null && (r.flags() & YamuxFlags.RST) != 0) {
          resets++;
        }
      }
      assertTrue(raw.closed.isDone() || resets == expectedResets,
          "streams over the limits are reset (got " + resets + ") or the flooding connection is closed");
    }
    assertStillServes(b);
  }

  @Test
  void perIpFloodIsRefusedWhileOtherPeersAreServed() throws IOException, InterruptedException {
    Libp2pHost b = hosts.start(HostConfig.builder()
        .loopbackExemptFromIpLimit(false)
        .maxConnectionsPerIp(8));
    InetAddress flooder = InetAddress.getByName("127.0.0.2");
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(flooder, 0));
        s.connect(addressOf(b));
        sockets.add(s);
      }
      int refused = 0;
      int served = 0;
      Thread.sleep(1000);
      for (Socket s : sockets) {
        s.setSoTimeout(100);
        try {
          if (s.getInputStream().read() < 0) {
            refused++;
          }
        } catch (SocketTimeoutException stillOpen) {
          served++;
        } catch (IOException reset) {
          refused++;
        }
      }
      assertEquals(12, refused, "connections over the per-IP limit are closed at once");
      assertEquals(8, served, "the first 8 connections from that IP are kept");
      assertTrue(b.refusedConnections() >= 12, "refusals counted: " + b.refusedConnections());
      assertStillServes(b);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
