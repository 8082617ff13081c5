package io.disjoint.p2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.PeerInfo;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.identify.IdentifyService;
import io.disjoint.p2p.ping.PingService;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TwoHostTest {
  static final String ECHO_UPPER = "/test/upper/1.0.0";
  private final HostTestSupport hosts = new HostTestSupport();

  @AfterEach
  void stop() {
    hosts.close();
  }

  /** A length-prefixed request/response protocol: the server answers each request upper-cased. */
  static void installUpperServer(Libp2pHost host) {
    host.setStreamHandler(ECHO_UPPER, stream -> stream.channel().pipeline().addLast(
        new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4),
        new LengthFieldPrepender(4),
        new SimpleChannelInboundHandler<ByteBuf>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            String text = msg.toString(StandardCharsets.UTF_8).toUpperCase();
            ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8)));
          }
        }));
  }

  static CompletableFuture<String> request(Stream stream, String text) {
    CompletableFuture<String> answer = new CompletableFuture<>();
    stream.channel().pipeline().addLast(
        new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4),
        new LengthFieldPrepender(4),
        new SimpleChannelInboundHandler<ByteBuf>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            answer.complete(msg.toString(StandardCharsets.UTF_8));
            ctx.close();
          }

          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new IllegalStateException("stream closed without answer"));
          }
        });
    stream.channel().writeAndFlush(
        stream.channel().alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8)));
    return answer;
  }

  @Test
  void connectIdentifyPingAndRequestResponse() {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start();
    installUpperServer(b);
    HostTestSupport.IdentifyRecorder aSees = new HostTestSupport.IdentifyRecorder();
    HostTestSupport.IdentifyRecorder bSees = new HostTestSupport.IdentifyRecorder();
    a.addListener(aSees);
    b.addListener(bSees);

    Connection c = a.dial(b.listenAddrs().get(0).withPeerId(b.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals(b.peerId(), c.remotePeer());
    assertTrue(c.isInitiator());

    PeerInfo aboutB = aSees.of(b.peerId()).orTimeout(10, TimeUnit.SECONDS).join();
    assertTrue(aboutB.protocols().containsAll(List.of(ECHO_UPPER, IdentifyService.ID, PingService.ID)),
        aboutB.protocols().toString());
    assertTrue(aboutB.agentVersion().startsWith("disjoint/"));
    assertEquals(b.listenAddrs(), aboutB.listenAddrs());
    PeerInfo aboutA = bSees.of(a.peerId()).orTimeout(10, TimeUnit.SECONDS).join();
    assertTrue(aboutA.protocols().contains(PingService.ID));
    assertTrue(b.peerStore().protocols(a.peerId()).contains(IdentifyService.PUSH_ID));

    List<Duration> rtts = a.ping().ping(b.peerId(), 5).orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals(5, rtts.size());
    Duration back = b.ping().ping(a.peerId()).orTimeout(10, TimeUnit.SECONDS).join();
    assertTrue(back.toNanos() > 0);

    Stream s = a.newStream(b.peerId(), ECHO_UPPER).orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals(ECHO_UPPER, s.protocolId());
    assertEquals("HELLO DISJOINT", request(s, "hello disjoint").orTimeout(10, TimeUnit.SECONDS).join());
    assertEquals(1, a.connections().size(), "streams reuse the connection");
  }

  @Test
  void burstOfNewStreamsToAnUnconnectedPeerSharesOneDial() {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start();
    installUpperServer(b);
    a.peerStore().addAddrs(b.peerId(), b.listenAddrs());
    List<CompletableFuture<String>> answers = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String text = "burst " + i;
      answers.add(a.newStream(b.peerId(), ECHO_UPPER).thenCompose(s -> request(s, text)));
    }
    for (int i = 0; i < 50; i++) {
      assertEquals("BURST " + i, answers.get(i).orTimeout(20, TimeUnit.SECONDS).join());
    }
    assertEquals(1, a.connections().size(), "one connection for the whole burst");
    assertEquals(0, b.refusedConnections());
  }

  @Test
  void unsupportedProtocolFailsTheStreamNotTheConnection() {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start();
    installUpperServer(b);
    a.dial(b.listenAddrs().get(0).withPeerId(b.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
    CompletableFuture<Stream> refused = a.newStream(b.peerId(), "/nope/1.0.0");
    Throwable e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> refused.orTimeout(10, TimeUnit.SECONDS).join());
    assertTrue(e.getMessage().contains("/nope/1.0.0"), e.getMessage());
    Stream s = a.newStream(b.peerId(), ECHO_UPPER).orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals("OK", request(s, "ok").orTimeout(10, TimeUnit.SECONDS).join());
  }

  @Test
  void identifyPushAnnouncesNewProtocols() {
    Libp2pHost a = hosts.start();
    Libp2pHost b = hosts.start();
    HostTestSupport.IdentifyRecorder aSees = new HostTestSupport.IdentifyRecorder();
    a.addListener(aSees);
    a.dial(b.listenAddrs().get(0).withPeerId(b.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
    aSees.of(b.peerId()).orTimeout(10, TimeUnit.SECONDS).join();
    aSees.identified.remove(b.peerId());
    installUpperServer(b);
    PeerInfo pushed = aSees.of(b.peerId()).orTimeout(10, TimeUnit.SECONDS).join();
    assertTrue(pushed.protocols().contains(ECHO_UPPER));
  }

  @Test
  void listeningOnABusyPortFailsStartWithTheAddress() {
    Libp2pHost a = hosts.start();
    Libp2pHost clash = new Libp2pHost(
        io.disjoint.p2p.crypto.PrivKey.generate(io.disjoint.p2p.crypto.KeyType.ED25519, new java.security.SecureRandom()),
        HostConfig.builder().listenAddrs(a.listenAddrs()).build());
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> clash.start().orTimeout(10, TimeUnit.SECONDS).join());
    assertTrue(e.getMessage().contains(a.listenAddrs().get(0).toString()), e.getMessage());
    clash.stop().orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Test
  void wildcardListenAddressIsAdvertisedAsInterfaceAddresses() {
    Libp2pHost any = new Libp2pHost(
        io.disjoint.p2p.crypto.PrivKey.generate(io.disjoint.p2p.crypto.KeyType.ED25519, new java.security.SecureRandom()),
        HostConfig.builder().listen("/ip4/0.0.0.0/tcp/0").build());
    try {
      any.start().orTimeout(10, TimeUnit.SECONDS).join();
      List<io.disjoint.p2p.multiaddr.Multiaddr> addrs = any.listenAddrs();
      assertTrue(addrs.stream().noneMatch(a -> a.toString().startsWith("/ip4/0.0.0.0/")), addrs.toString());
      io.disjoint.p2p.multiaddr.Multiaddr loopback = addrs.stream()
          .filter(a -> a.toString().startsWith("/ip4/127.0.0.1/")).findFirst().orElseThrow();
      Libp2pHost a = hosts.start();
      Connection c = a.dial(loopback.withPeerId(any.peerId())).orTimeout(10, TimeUnit.SECONDS).join();
      assertEquals(any.peerId(), c.remotePeer());
    } finally {
      any.stop().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }
}
