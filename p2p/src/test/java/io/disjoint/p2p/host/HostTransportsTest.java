package io.disjoint.p2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.transport.IoTransport;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hosts on every available Netty transport talk to each other over real loopback sockets: the
 * wire is the same whatever the event loops are, and streams of many sizes arrive intact.
 */
class HostTransportsTest {
  private final List<Libp2pHost> hosts = new ArrayList<>();

  static List<Arguments> transportPairs() {
    List<IoTransport> available = Arrays.stream(IoTransport.values()).filter(IoTransport::isAvailable).toList();
    List<Arguments> pairs = new ArrayList<>();
    for (IoTransport dialer : available) {
      for (IoTransport listener : available) {
        pairs.add(Arguments.of(dialer, listener));
      }
    }
    return pairs;
  }

  @AfterEach
  void stop() {
    for (Libp2pHost host : hosts) {
      host.stop().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  private Libp2pHost start(IoTransport io) {
    Libp2pHost host = new Libp2pHost(PrivKey.generate(KeyType.ED25519, new SecureRandom()),
        HostConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build(), new SecureRandom(), io);
    hosts.add(host);
    host.start().orTimeout(10, TimeUnit.SECONDS).join();
    return host;
  }

  @ParameterizedTest(name = "{0} dials {1}")
  @MethodSource("transportPairs")
  void hostsOnAnyTwoTransportsConnectPingAndStream(IoTransport dialerIo, IoTransport listenerIo) {
    Libp2pHost a = start(dialerIo);
    Libp2pHost b = start(listenerIo);
    assertEquals(dialerIo, a.ioTransport());
    assertEquals(listenerIo, b.ioTransport());
    assertEquals(dialerIo, IoTransport.of(a.ioGroup()));
    TwoHostTest.installUpperServer(b);

    Connection c = a.dial(b.listenAddrs().get(0).withPeerId(b.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals(b.peerId(), c.remotePeer());
    List<Duration> rtts = a.ping().ping(b.peerId(), 3).orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals(3, rtts.size());

    // sizes around the Noise frame (65519 plaintext bytes) and the Yamux window (256 KiB)
    List<CompletableFuture<String>> answers = new ArrayList<>();
    int[] sizes = {1, 1_000, 65_519, 65_520, 300_000};
    for (int size : sizes) {
      String text = "x".repeat(size);
      Stream s = a.newStream(b.peerId(), TwoHostTest.ECHO_UPPER).orTimeout(10, TimeUnit.SECONDS).join();
      answers.add(TwoHostTest.request(s, text));
    }
    for (int i = 0; i < sizes.length; i++) {
      assertEquals("X".repeat(sizes[i]), answers.get(i).orTimeout(20, TimeUnit.SECONDS).join(), "size " + sizes[i]);
    }
    assertEquals(1, a.connections().size(), "all streams on one connection");
    assertInstanceOf(dialerIo.socketChannelClass(), ((HostConnection) c).channel());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.disjoint.p2p.transport.IoTransportTest#availableTransports")
  void ioGroupAndTransportAreOnlyThereWhileStarted(IoTransport io) {
    Libp2pHost host = new Libp2pHost(PrivKey.generate(KeyType.ED25519, new SecureRandom()),
        HostConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build(), new SecureRandom(), io);
    IllegalStateException before = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, host::ioTransport);
    assertTrue(before.getMessage().contains("not started"));
    hosts.add(host);
    host.start().orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals(io, host.ioTransport());
    assertEquals(io == IoTransport.EPOLL, host.ioGroupUsesEpoll());
  }
}
