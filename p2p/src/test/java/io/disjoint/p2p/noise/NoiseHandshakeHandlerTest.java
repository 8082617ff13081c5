package io.disjoint.p2p.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assertions;

/** Full XX handshakes between two EmbeddedChannels, and the rejections the libp2p spec requires. */
class NoiseHandshakeHandlerTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final PrivKey alice = PrivKey.generate(KeyType.ED25519, RANDOM);
  private final PrivKey bob = PrivKey.generate(KeyType.SECP256K1, RANDOM);

  record Side(EmbeddedChannel channel, NoiseHandshakeHandler handler, Capture capture) {}

  static Side side(PrivKey key, boolean initiator, Optional<PeerId> expected, List<String> muxers) {
    NoiseHandshakeHandler handler = new NoiseHandshakeHandler(key, initiator, expected, muxers);
    Capture capture = new Capture();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast("noise", handler);
    ch.pipeline().addLast("capture", capture);
    return new Side(ch, handler, capture);
  }

  /** Moves everything {@code from} wrote into {@code to}; returns the number of buffers moved. */
  static int pump(EmbeddedChannel from, EmbeddedChannel to) {
    int n = 0;
    ByteBuf out;
    while ((out = from.readOutbound()) != null) {
      n++;
      // pooled buffers are recycled on release, so check reference counts on an unpooled copy
      ByteBuf copy = Unpooled.copiedBuffer(out);
      out.release();
      if (to.isOpen()) {
        to.writeInbound(copy);
        assertEquals(0, copy.refCnt(), "inbound buffer released by the Noise handlers");
      } else {
        copy.release();
      }
    }
    return n;
  }

  static void runToCompletion(Side a, Side b) {
    while (pump(a.channel, b.channel) + pump(b.channel, a.channel) > 0) {
      // keep shuttling until both sides are quiet
    }
  }

  @Test
  void completesBothWaysAndCarriesData() throws Exception {
    Side init = side(alice, true, Optional.of(bob.peerId()), List.of("/yamux/1.0.0"));
    Side resp = side(bob, false, Optional.empty(), List.of("/yamux/1.0.0", "/mplex/6.7.0"));
    runToCompletion(init, resp);

    NoiseHandshakeComplete atInit = init.handler.handshakeFuture().get();
    NoiseHandshakeComplete atResp = resp.handler.handshakeFuture().get();
    assertEquals(bob.peerId(), atInit.remotePeer());
    assertEquals(bob.publicKey(), atInit.remoteKey());
    assertEquals(List.of("/yamux/1.0.0", "/mplex/6.7.0"), atInit.remoteMuxers());
    assertEquals(alice.peerId(), atResp.remotePeer());
    assertEquals(List.of("/yamux/1.0.0"), atResp.remoteMuxers());
    assertEquals(List.of(atInit), init.capture.events);
    assertEquals(List.of(atResp), resp.capture.events);
    for (Side s : List.of(init, resp)) {
      assertNull(s.channel.pipeline().get("noise"), "handshake handler removed");
      assertInstanceOf(NoiseFrameCodec.class, s.channel.pipeline().get(NoiseFrameCodec.NAME));
    }

    init.channel.writeAndFlush(Unpooled.wrappedBuffer("ping".getBytes()));
    resp.channel.writeAndFlush(Unpooled.wrappedBuffer("pong".getBytes()));
    runToCompletion(init, resp);
    assertArrayEquals("ping".getBytes(), resp.capture.bytes());
    assertArrayEquals("pong".getBytes(), init.capture.bytes());
    init.channel.finishAndReleaseAll();
    resp.channel.finishAndReleaseAll();
  }

  @Test
  void completesWhenEveryMessageArrivesOneByteAtATime() throws Exception {
    Side init = side(alice, true, Optional.of(bob.peerId()), List.of());
    Side resp = side(bob, false, Optional.empty(), List.of());
    boolean moved = true;
    while (moved) {
      moved = trickle(init.channel, resp.channel) | trickle(resp.channel, init.channel);
    }
    assertEquals(bob.peerId(), init.handler.handshakeFuture().get().remotePeer());
    assertEquals(alice.peerId(), resp.handler.handshakeFuture().get().remotePeer());
    init.channel.writeAndFlush(Unpooled.wrappedBuffer("after".getBytes()));
    trickle(init.channel, resp.channel);
    assertArrayEquals("after".getBytes(), resp.capture.bytes());
    init.channel.finishAndReleaseAll();
    resp.channel.finishAndReleaseAll();
  }

  /** Like {@link #pump} but delivers each outbound buffer as single-byte buffers. */
  static boolean trickle(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    ByteBuf out;
    while ((out = from.readOutbound()) != null) {
      moved = true;
      byte[] bytes = io.netty.buffer.ByteBufUtil.getBytes(out);
      out.release();
      for (byte b : bytes) {
        ByteBuf one = Unpooled.wrappedBuffer(new byte[] {b});
        to.writeInbound(one);
        assertEquals(0, one.refCnt());
      }
    }
    return moved;
  }

  @Test
  void bytesAfterTheLastHandshakeMessageGoThroughTheCodecBeforeTheEvent() throws Exception {
    Side init = side(alice, true, Optional.empty(), List.of());
    Side resp = side(bob, false, Optional.empty(), List.of());
    pump(init.channel, resp.channel); // msg 1
    pump(resp.channel, init.channel); // msg 2, initiator done
    assertTrue(init.handler.handshakeFuture().isDone());
    init.channel.writeAndFlush(Unpooled.wrappedBuffer("early data".getBytes()));
    // msg 3 and the first transport frame arrive in one TCP read
    ByteBuf msg3 = init.channel.readOutbound();
    ByteBuf data = init.channel.readOutbound();
    ByteBuf together = Unpooled.copiedBuffer(msg3, data);
    msg3.release();
    data.release();
    resp.channel.writeInbound(together);
    assertEquals(0, together.refCnt());
    assertEquals(alice.peerId(), resp.handler.handshakeFuture().get().remotePeer());
    assertArrayEquals("early data".getBytes(), resp.capture.bytes());
    assertEquals(List.of("data", "event"), resp.capture.order);
    assertTrue(resp.capture.exceptions.isEmpty());
    init.channel.finishAndReleaseAll();
    resp.channel.finishAndReleaseAll();
  }

  @Test
  void handlersMayWriteWhileHandlingTheCompletionEvent() throws Exception {
    Side init = side(alice, true, Optional.empty(), List.of());
    Side resp = side(bob, false, Optional.empty(), List.of());
    List<Boolean> writeResults = new ArrayList<>();
    for (Side s : List.of(init, resp)) {
      s.channel.pipeline().addBefore("capture", "greeter", new io.netty.channel.ChannelInboundHandlerAdapter() {
        @Override
        public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
          if (evt instanceof NoiseHandshakeComplete) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer("hi".getBytes()))
                .addListener(f -> writeResults.add(f.isSuccess()));
          }
          ctx.fireUserEventTriggered(evt);
        }
      });
    }
    runToCompletion(init, resp);
    assertEquals(List.of(true, true), writeResults);
    assertArrayEquals("hi".getBytes(), init.capture.bytes());
    assertArrayEquals("hi".getBytes(), resp.capture.bytes());
    init.channel.finishAndReleaseAll();
    resp.channel.finishAndReleaseAll();
  }

  @Test
  void initiatorStartsOnChannelActiveWhenAddedBeforeRegistration() throws Exception {
    NoiseHandshakeHandler handler = new NoiseHandshakeHandler(alice, true, Optional.empty(), List.of());
    EmbeddedChannel ch = new EmbeddedChannel(false, false);
    ch.pipeline().addLast(handler);
    assertNull(ch.readOutbound(), "nothing sent before the channel is active");
    ch.register();
    ByteBuf first = ch.readOutbound();
    assertNotNull(first);
    assertEquals(2 + 32, first.readableBytes(), "-> e with an empty payload");
    assertEquals(32, first.getUnsignedShort(0));
    first.release();
    ch.finishAndReleaseAll();
  }

  @Test
  void rejectsWrongPeerIdOnDial() {
    PrivKey somebodyElse = PrivKey.generate(KeyType.ED25519, RANDOM);
    Side init = side(alice, true, Optional.of(somebodyElse.peerId()), List.of());
    Side resp = side(bob, false, Optional.empty(), List.of());
    runToCompletion(init, resp);
    NoiseException e = failure(init);
    assertEquals("dialed " + somebodyElse.peerId() + " but remote is " + bob.peerId(), e.getMessage());
    assertEquals(P2pException.Fault.PEER, e.fault());
    assertFalse(init.channel.isOpen());
    assertTrue(init.capture.events.isEmpty());
    assertFalse(resp.handler.handshakeFuture().isDone() && !resp.handler.handshakeFuture().isCompletedExceptionally(),
        "responder must not complete: msg 3 was never sent");
    init.channel.finishAndReleaseAll();
    resp.channel.finishAndReleaseAll();
  }

  @Test
  void rejectsIdentitySignatureOverAnotherStaticKey() {
    Side init = side(alice, true, Optional.empty(), List.of());
    // a responder that signs a different static key than the one it uses
    HandshakeState responder = new HandshakeState(false, new byte[0], X25519.generate(RANDOM), () -> X25519.generate(RANDOM));
    ByteBuf msg1 = init.channel.readOutbound();
    msg1.skipBytes(2);
    byte[] m1 = new byte[msg1.readableBytes()];
    msg1.readBytes(m1);
    msg1.release();
    responder.readMessage(m1);
    byte[] forged = HandshakePayload.sign(bob, X25519.generate(RANDOM).publicKey(), List.of()).encode();
    byte[] m2 = responder.writeMessage(forged);
    ByteBuf frame = Unpooled.buffer().writeShort(m2.length).writeBytes(m2);
    init.channel.writeInbound(frame);
    assertEquals(0, frame.refCnt());
    NoiseException e = failure(init);
    assertTrue(e.getMessage().startsWith("bad identity signature from " + bob.peerId()), e.getMessage());
    assertFalse(init.channel.isOpen());
    init.channel.finishAndReleaseAll();
  }

  @Test
  void rejectsGarbageHandshakeMessage() {
    Side resp = side(bob, false, Optional.empty(), List.of());
    ByteBuf garbage = Unpooled.buffer().writeShort(10).writeBytes(new byte[10]);
    resp.channel.writeInbound(garbage);
    assertEquals(0, garbage.refCnt());
    NoiseException e = failure(resp);
    assertTrue(e.getMessage().contains("too short"), e.getMessage());
    assertFalse(resp.channel.isOpen());
    resp.channel.finishAndReleaseAll();
  }

  @Test
  void rejectsALowOrderEphemeralKey() {
    Side resp = side(bob, false, Optional.empty(), List.of());
    ByteBuf zeroKey = Unpooled.buffer().writeShort(32).writeBytes(new byte[32]);
    resp.channel.writeInbound(zeroKey);
    assertEquals(0, zeroKey.refCnt());
    NoiseException e = failure(resp);
    assertTrue(e.getMessage().contains("low-order"), e.getMessage());
    assertFalse(resp.channel.isOpen());
    resp.channel.finishAndReleaseAll();
  }

  @Test
  void refusesWritesBeforeCompletion() {
    Side init = side(alice, true, Optional.empty(), List.of());
    ByteBuf early = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
    var future = init.channel.writeAndFlush(early);
    assertFalse(future.isSuccess());
    assertInstanceOf(NoiseException.class, future.cause());
    assertEquals(0, early.refCnt());
    init.channel.finishAndReleaseAll();
  }

  @Test
  void closeDuringHandshakeFailsTheFuture() {
    Side init = side(alice, true, Optional.empty(), List.of());
    init.channel.close();
    ExecutionException e = Assertions.assertThrows(ExecutionException.class, () -> init.handler.handshakeFuture().get());
    assertEquals(P2pException.Fault.NONE, ((NoiseException) e.getCause()).fault());
    init.channel.finishAndReleaseAll();
  }

  static NoiseException failure(Side s) {
    assertTrue(s.handler.handshakeFuture().isCompletedExceptionally());
    List<Throwable> seen = new ArrayList<>(s.capture.exceptions);
    assertEquals(1, seen.size(), "exactly one exception fired: " + seen);
    return (NoiseException) seen.get(0);
  }
}
