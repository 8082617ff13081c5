package io.disjoint.relay.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Both ends of the relay stream protocol over a real Netty (local) transport. */
class RelayStreamTest {
  private static final String CHAIN = "eip155:31337";
  private final Clock clock = Clock.systemUTC();
  private LocalRelayPair pair;

  @AfterEach
  void close() {
    if (pair != null) {
      pair.close();
    }
  }

  private RelayRequest request(int n) {
    String json = "{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"method\":\"eth_blockNumber\",\"params\":[" + n + "]}";
    return new RelayRequest(0, CHAIN, json.getBytes(StandardCharsets.UTF_8), clock.millis() + 10_000, new byte[0]);
  }

  private RelayService service(ScriptedUpstream upstream) {
    return new RelayService(Map.of(CHAIN, upstream), ServingPayment.FREE, Executors.newVirtualThreadPerTaskExecutor(), clock);
  }

  @Test
  void pipelinedRequestsAreAnsweredOutOfOrderAndMatchedById() throws Exception {
    ScriptedUpstream upstream = ScriptedUpstream.holding();
    pair = new LocalRelayPair(service(upstream), 256);
    RelayStreamClient client = pair.client(clock);
    List<CompletableFuture<RelayResponse>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(client.send(request(i)));
    }
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (upstream.calls < 50 && System.nanoTime() < waitUntil) {
      Thread.sleep(1);
    }
    assertEquals(50, upstream.calls);
    assertEquals(50, client.inFlight());
    List<CompletableFuture<byte[]>> held;
    synchronized (upstream.held) {
      held = new ArrayList<>(upstream.held);
    }
    // Answer in reverse arrival order; each answer carries the index the upstream saw.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < held.size(); i++) {
      order.add(i);
    }
    Collections.reverse(order);
    for (int i : order) {
      held.get(i).complete(("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"answer-" + i + "\"}").getBytes(StandardCharsets.UTF_8));
    }
    for (CompletableFuture<RelayResponse> f : futures) {
      RelayResponse r = f.get(5, TimeUnit.SECONDS);
      assertEquals(RelayStatus.OK, r.status());
      assertEquals(100, r.headNumber());
      assertEquals(32, r.headHash().length);
    }
    // The set of answers is complete and each request got a distinct one.
    long distinct = futures.stream().map(f -> new String(f.join().payload(), StandardCharsets.UTF_8)).distinct().count();
    assertEquals(50, distinct);
    assertEquals(1, pair.opened.get());
  }

  @Test
  void responsesCarryTheUpstreamBytesUntouched() throws Exception {
    pair = new LocalRelayPair(service(ScriptedUpstream.echo()), 256);
    RelayStreamClient client = pair.client(clock);
    RelayResponse r = client.send(request(7)).get(5, TimeUnit.SECONDS);
    assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_blockNumber\",\"params\":[7]}}",
        new String(r.payload(), StandardCharsets.UTF_8));
  }

  @Test
  void oversizedFrameResetsOnlyThatStream() throws Exception {
    pair = new LocalRelayPair(service(ScriptedUpstream.echo()), 256);
    RelayStreamClient healthy = pair.client(clock);
    Channel bad = pair.rawStream();
    // uvarint(7 MiB) > MAX_REQUEST_FRAME: rejected before any body byte is buffered.
    bad.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0xc0, 0x03})).sync();
    assertTrue(bad.closeFuture().await(5, TimeUnit.SECONDS), "offending stream closed");
    assertEquals(RelayStatus.OK, healthy.send(request(1)).get(5, TimeUnit.SECONDS).status());
    assertTrue(healthy.isOpen());
  }

  @Test
  void garbageProtobufResetsOnlyThatStream() throws Exception {
    pair = new LocalRelayPair(service(ScriptedUpstream.echo()), 256);
    RelayStreamClient healthy = pair.client(clock);
    Channel bad = pair.rawStream();
    bad.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0x03, (byte) 0xff, (byte) 0xff, (byte) 0xff})).sync();
    assertTrue(bad.closeFuture().await(5, TimeUnit.SECONDS), "offending stream closed");
    assertEquals(RelayStatus.OK, healthy.send(request(2)).get(5, TimeUnit.SECONDS).status());
  }

  @Test
  void tooManyInFlightAnswersOverloadedWithoutDroppingTheStream() throws Exception {
    ScriptedUpstream upstream = ScriptedUpstream.holding();
    pair = new LocalRelayPair(service(upstream), 2);
    RelayStreamClient client = pair.client(clock);
    CompletableFuture<RelayResponse> a = client.send(request(1));
    CompletableFuture<RelayResponse> b = client.send(request(2));
    RelayResponse c = client.send(request(3)).get(5, TimeUnit.SECONDS);
    assertEquals(RelayStatus.OVERLOADED, c.status());
    assertTrue(c.status().retryElsewhere());
    synchronized (upstream.held) {
      upstream.held.forEach(f -> f.complete("{\"result\":1}".getBytes(StandardCharsets.UTF_8)));
    }
    assertEquals(RelayStatus.OK, a.get(5, TimeUnit.SECONDS).status());
    assertEquals(RelayStatus.OK, b.get(5, TimeUnit.SECONDS).status());
  }

  @Test
  void unansweredRequestTimesOutAtItsDeadline() throws Exception {
    pair = new LocalRelayPair(service(ScriptedUpstream.holding()), 256);
    RelayStreamClient client = pair.client(clock);
    RelayRequest r = new RelayRequest(0, CHAIN, "{}".getBytes(StandardCharsets.UTF_8), clock.millis() + 50, new byte[0]);
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> client.send(r).get(5, TimeUnit.SECONDS));
    RelayTransportException t = assertInstanceOf(RelayTransportException.class, e.getCause());
    assertEquals(RelayTransportException.Kind.TIMEOUT, t.kind());
    assertEquals(0, client.inFlight());
  }

  @Test
  void closingTheStreamFailsEveryPendingRequest() throws Exception {
    pair = new LocalRelayPair(service(ScriptedUpstream.holding()), 256);
    RelayStreamClient client = pair.client(clock);
    CompletableFuture<RelayResponse> f = client.send(request(1));
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (pair.serverStreams.isEmpty() && System.nanoTime() < waitUntil) {
      Thread.sleep(1);
    }
    pair.serverStreams.peek().close().sync();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
    assertEquals(RelayTransportException.Kind.CLOSED, assertInstanceOf(RelayTransportException.class, e.getCause()).kind());
    // The pending request fails as soon as the remote's close is read; the local channel's own
    // close completes on its event loop right after, so wait for it rather than race it.
    long closedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (client.isOpen() && System.nanoTime() < closedBy) {
      Thread.sleep(1);
    }
    assertFalse(client.isOpen());
  }

  @Test
  void pooledTransportReusesOneStreamForSequentialRelays() throws Exception {
    pair = new LocalRelayPair(service(ScriptedUpstream.echo()), 256);
    PooledRelayTransport transport = new PooledRelayTransport(pair.opener(), clock, 4, 8);
    for (int i = 0; i < 200; i++) {
      assertEquals(RelayStatus.OK, transport.send("peer-a", request(i)).get(5, TimeUnit.SECONDS).status());
    }
    assertEquals(1, pair.opened.get());
    assertEquals(1, transport.openStreams("peer-a"));
  }

  @Test
  void pooledTransportOpensMoreStreamsOnlyWhenPipelinesAreDeep() throws Exception {
    ScriptedUpstream upstream = ScriptedUpstream.holding();
    pair = new LocalRelayPair(service(upstream), 256);
    PooledRelayTransport transport = new PooledRelayTransport(pair.opener(), clock, 3, 4);
    List<CompletableFuture<RelayResponse>> futures = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      futures.add(transport.send("peer-a", request(i)));
    }
    assertEquals(3, pair.opened.get(), "grows to the per-peer maximum, no further");
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (upstream.calls < 40 && System.nanoTime() < waitUntil) {
      Thread.sleep(1);
    }
    synchronized (upstream.held) {
      upstream.held.forEach(f -> f.complete("{\"result\":1}".getBytes(StandardCharsets.UTF_8)));
    }
    for (CompletableFuture<RelayResponse> f : futures) {
      assertEquals(RelayStatus.OK, f.get(5, TimeUnit.SECONDS).status());
    }
  }

  @Test
  void serverClosesItsHalfOnceTheGatewayClosedAndEveryAnswerIsOut() throws Exception {
    ScriptedUpstream upstream = ScriptedUpstream.holding();
    io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel();
    RelayStreamServer.install(ch, service(upstream), "gw");
    io.netty.channel.embedded.EmbeddedChannel encoder = new io.netty.channel.embedded.EmbeddedChannel(LengthPrefixedFrameEncoder.INSTANCE);
    encoder.writeOutbound(RelayMessages.toWire(request(1)));
    ch.writeInbound((Object) encoder.readOutbound());
    ch.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
    assertTrue(ch.isOpen(), "an answer is still owed");
    synchronized (upstream.held) {
      upstream.held.get(0).complete("{\"result\":1}".getBytes(StandardCharsets.UTF_8));
    }
    ch.runPendingTasks();
    io.netty.buffer.ByteBuf out = ch.readOutbound();
    assertTrue(out.readableBytes() > 0);
    out.release();
    assertFalse(ch.isOpen(), "closed after the last answer");
    ch.finishAndReleaseAll();
    encoder.finishAndReleaseAll();
  }
}
