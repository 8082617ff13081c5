package io.disjoint.p2p.yamux;

import static io.disjoint.p2p.yamux.YamuxTestSupport.frame;
import static io.disjoint.p2p.yamux.YamuxTestSupport.shuttle;
import static io.disjoint.p2p.yamux.YamuxTestSupport.writtenFrames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.yamux.YamuxTestSupport.Side;
import io.disjoint.p2p.yamux.YamuxTestSupport.StreamSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class YamuxSessionTest {
  private static final YamuxConfig CONFIG = YamuxConfig.defaults().withKeepAliveInterval(Duration.ZERO);
  private final List<Side> sides = new ArrayList<>();
  private final List<ByteBuf> toRelease = new ArrayList<>();

  private Side side(YamuxConfig config, boolean initiator, boolean autoRead) {
    Side s = new Side(config, initiator, autoRead);
    sides.add(s);
    return s;
  }

  @AfterEach
  void releaseAll() {
    for (Side s : sides) {
      for (StreamSink sink : s.sinks) {
        sink.received.release();
      }
      s.channel.finishAndReleaseAll();
    }
    toRelease.forEach(ByteBuf::release);
  }

  private static YamuxStreamChannel open(Side side, StreamSink sink) {
    CompletableFuture<YamuxStreamChannel> f = side.session.openStream(sink);
    side.channel.runPendingTasks();
    return f.join();
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  @Test
  void openWriteHalfCloseAndFinishBothWays() {
    Side client = side(CONFIG, true, true);
    Side server = side(CONFIG, false, true);
    StreamSink clientSink = new StreamSink();
    YamuxStreamChannel stream = open(client, clientSink);
    assertEquals(1, stream.streamId(), "dialer uses odd ids");
    stream.writeAndFlush(text("request"));
    stream.closeWrite();
    shuttle(client, server);

    assertEquals(1, server.accepted.size());
    YamuxStreamChannel inbound = server.accepted.get(0);
    StreamSink serverSink = server.sinks.get(0);
    assertEquals("request", serverSink.received.toString(StandardCharsets.UTF_8));
    assertTrue(serverSink.events.contains(ChannelInputShutdownEvent.INSTANCE), "remote FIN seen");

    inbound.writeAndFlush(text("response"));
    inbound.closeWrite();
    shuttle(client, server);
    assertEquals("response", clientSink.received.toString(StandardCharsets.UTF_8));
    assertTrue(clientSink.inactive && serverSink.inactive, "both FINs close both channels");
    assertEquals(0, client.session.streamCount());
    assertEquals(0, server.session.streamCount());
  }

  @Test
  void listenerAcksWithItsFirstFrameNotBefore() {
    Side server = side(CONFIG, false, true);
    server.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 1, 0, null));
    assertTrue(writtenFrames(server.channel).isEmpty(), "no implicit ACK");
    server.accepted.get(0).writeAndFlush(text("x"));
    List<YamuxFrame> frames = writtenFrames(server.channel);
    assertEquals(1, frames.size());
    assertTrue(frames.get(0).hasFlag(YamuxFlags.ACK));
    assertEquals(YamuxFrameType.DATA, frames.get(0).type());
    frames.forEach(YamuxFrame::release);
  }

  @Test
  void flowControlHoldsWritesBeyondTheWindowUntilTheReaderConsumes() {
    Side client = side(CONFIG, true, true);
    Side server = side(CONFIG, false, false);
    YamuxStreamChannel stream = open(client, new StreamSink());
    int total = 3 * YamuxConfig.INITIAL_WINDOW;
    stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[total]));
    shuttle(client, server);
    StreamSink sink = server.sinks.get(0);
    assertEquals(0, sink.received.readableBytes(), "auto-read off: nothing delivered yet");
    assertEquals(0, stream.sendWindow(), "sender stopped at the window");
    assertFalse(stream.isWritable(), "held bytes make the stream unwritable");
    assertEquals(0, server.accepted.get(0).receiveWindow());

    while (sink.received.readableBytes() < total) {
      server.accepted.get(0).read();
      shuttle(client, server);
    }
    assertEquals(total, sink.received.readableBytes());
    assertTrue(stream.isWritable());
  }

  @Test
  void halfCloseWaitsForDataHeldBackByTheWindow() {
    Side client = side(CONFIG, true, true);
    Side server = side(CONFIG, false, false);
    YamuxStreamChannel stream = open(client, new StreamSink());
    int total = 2 * YamuxConfig.INITIAL_WINDOW;
    stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[total]));
    CompletableFuture<Void> finSent = stream.closeWrite();
    shuttle(client, server);
    StreamSink sink = server.sinks.get(0);
    assertFalse(finSent.isDone(), "FIN waits behind the queued data");
    while (!sink.events.contains(ChannelInputShutdownEvent.INSTANCE)) {
      server.accepted.get(0).read();
      shuttle(client, server);
    }
    assertEquals(total, sink.received.readableBytes(), "all data arrived before the FIN");
    assertTrue(finSent.isDone());
  }

  @Test
  void windowGrowsWhileTheReaderKeepsUp() {
    Side client = side(CONFIG, true, true);
    Side server = side(CONFIG, false, true);
    YamuxStreamChannel stream = open(client, new StreamSink());
    for (int i = 0; i < 64; i++) {
      stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[256 * 1024]));
      shuttle(client, server);
    }
    assertEquals(64L * 256 * 1024, server.sinks.get(0).received.readableBytes());
    assertTrue(stream.sendWindow() > YamuxConfig.INITIAL_WINDOW,
        "window grew past 256 KiB: " + stream.sendWindow());
  }

  @Test
  void windowGrowthStopsAtTheStreamLimitAndTheConnectionBudget() {
    int mib = 1024 * 1024;
    YamuxConfig config = CONFIG.withMaxStreamWindow(mib).withConnectionWindowBudget(mib);
    Side client = side(config, true, true);
    Side server = side(config, false, true);
    YamuxStreamChannel first = open(client, new StreamSink());
    YamuxStreamChannel second = open(client, new StreamSink());
    for (YamuxStreamChannel stream : List.of(first, second)) {
      for (int i = 0; i < 32; i++) {
        stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[256 * 1024]));
        shuttle(client, server);
      }
    }
    YamuxStreamChannel firstIn = server.accepted.get(0);
    YamuxStreamChannel secondIn = server.accepted.get(1);
    assertEquals(mib, firstIn.receiveWindowTarget(), "grew to the stream limit and no further");
    assertEquals(mib / 2, secondIn.receiveWindowTarget(),
        "256 KiB of the spec plus what was left of the 1 MiB budget after the first stream's 768 KiB");
    assertTrue(first.sendWindow() <= mib && second.sendWindow() <= mib / 2, "the sender never got more");

    first.close();
    firstIn.close();
    shuttle(client, server);
    for (int i = 0; i < 32; i++) {
      second.writeAndFlush(Unpooled.wrappedBuffer(new byte[256 * 1024]));
      shuttle(client, server);
    }
    assertEquals(mib, secondIn.receiveWindowTarget(), "a closed stream's growth returns to the budget");
    assertEquals(96L * 256 * 1024, server.sinks.get(0).received.readableBytes() + server.sinks.get(1).received.readableBytes());
  }

  @Test
  void dataFramesAreFilledAcrossWritesAndStopExactlyAtTheWindow() {
    Side client = side(CONFIG, true, true);
    YamuxStreamChannel stream = open(client, new StreamSink());
    writtenFrames(client.channel); // the SYN
    for (int i = 0; i < 4; i++) {
      stream.write(Unpooled.wrappedBuffer(new byte[64 * 1024]));
    }
    stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[64 * 1024]));
    List<YamuxFrame> frames = writtenFrames(client.channel);
    List<Long> dataLengths = frames.stream().filter(f -> f.type() == YamuxFrameType.DATA).map(YamuxFrame::length).toList();
    frames.forEach(YamuxFrame::release);
    long full = YamuxConfig.DEFAULT_MAX_SEND_FRAME;
    assertEquals(List.of(full, full, full, full, YamuxConfig.INITIAL_WINDOW - 4 * full), dataLengths,
        "64 KiB writes become full frames (header + payload = one Noise frame) up to the 256 KiB window");
    assertEquals(0, stream.sendWindow());
  }

  @Test
  void windowOverrunIsAProtocolErrorThatClosesTheConnection() {
    Side server = side(CONFIG, false, true);
    server.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 1, 0, null));
    byte[] tooMuch = new byte[YamuxConfig.INITIAL_WINDOW + 1];
    server.channel.writeInbound(frame(YamuxFrameType.DATA, 0, 1, tooMuch.length, tooMuch));
    List<YamuxFrame> frames = writtenFrames(server.channel);
    assertEquals(YamuxFrameType.GO_AWAY, frames.get(frames.size() - 1).type());
    assertEquals(YamuxGoAwayCode.PROTOCOL_ERROR.code(), frames.get(frames.size() - 1).length());
    assertFalse(server.channel.isOpen());
    assertTrue(server.sinks.get(0).inactive, "streams closed with the connection");
  }

  @Test
  void oversizedDataIsRefusedFromItsHeaderBeforeThePayloadIsBuffered() {
    Side server = side(CONFIG, false, true);
    server.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 1, 0, null));
    server.channel.writeInbound(frame(YamuxFrameType.DATA, 0, 1, YamuxConfig.INITIAL_WINDOW + 1, null));
    assertFalse(server.channel.isOpen(), "closed on the header of an overrunning frame");

    Side other = side(CONFIG, false, true);
    other.channel.writeInbound(frame(YamuxFrameType.DATA, 0, 99, 4L * 1024 * 1024, null));
    assertFalse(other.channel.isOpen(), "data for an unknown stream larger than any window granted");
  }

  @Test
  void framesForUnknownStreamsAreDroppedAndTheSessionKeepsWorking() {
    Side client = side(CONFIG, true, true);
    Side server = side(CONFIG, false, true);
    ByteBuf stray = frame(YamuxFrameType.DATA, 0, 77, 3, new byte[] {1, 2, 3});
    server.channel.writeInbound(stray);
    assertEquals(0, stray.refCnt());
    server.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, 0, 79, 1000, null));
    server.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.RST, 81, 0, null));
    assertTrue(server.channel.isOpen());
    StreamSink sink = new StreamSink();
    YamuxStreamChannel stream = open(client, sink);
    stream.writeAndFlush(text("still fine"));
    shuttle(client, server);
    assertEquals("still fine", server.sinks.get(0).received.toString(StandardCharsets.UTF_8));
  }

  @Test
  void synWithOurParityIsAProtocolError() {
    Side server = side(CONFIG, false, true);
    server.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 2, 0, null));
    assertFalse(server.channel.isOpen());
  }

  @Test
  void answersPingsAndIgnoresAcksItDidNotAskFor() {
    Side server = side(CONFIG, false, true);
    server.channel.writeInbound(frame(YamuxFrameType.PING, YamuxFlags.SYN, 0, 0xCAFEL, null));
    List<YamuxFrame> frames = writtenFrames(server.channel);
    assertEquals(1, frames.size());
    assertEquals(YamuxFrameType.PING, frames.get(0).type());
    assertEquals(YamuxFlags.ACK, frames.get(0).flags());
    assertEquals(0xCAFEL, frames.get(0).length());
    server.channel.writeInbound(frame(YamuxFrameType.PING, YamuxFlags.ACK, 0, 0xBEEFL, null));
    assertTrue(writtenFrames(server.channel).isEmpty(), "never ACK an ACK");
    assertTrue(server.channel.isOpen());
  }

  @Test
  void sessionPingMeasuresRoundTrip() {
    Side client = side(CONFIG, true, true);
    Side server = side(CONFIG, false, true);
    CompletableFuture<Duration> rtt = client.session.ping();
    client.channel.runPendingTasks();
    shuttle(client, server);
    assertTrue(rtt.isDone());
    assertFalse(rtt.join().isNegative());
  }

  @Test
  void keepAliveClosesASilentConnection() {
    Side client = side(YamuxConfig.defaults().withKeepAliveInterval(Duration.ofSeconds(1)), true, true);
    client.channel.advanceTimeBy(1, TimeUnit.SECONDS);
    client.channel.runScheduledPendingTasks();
    List<YamuxFrame> frames = writtenFrames(client.channel);
    assertEquals(YamuxFrameType.PING, frames.get(0).type());
    assertTrue(client.channel.isOpen());
    client.channel.advanceTimeBy(1, TimeUnit.SECONDS);
    client.channel.runScheduledPendingTasks();
    assertFalse(client.channel.isOpen(), "unanswered keep-alive closes the connection");
  }

  @Test
  void inboundStreamsOverTheLimitAreReset() {
    Side server = side(CONFIG.withMaxInboundStreams(3), false, true);
    for (int id = 1; id <= 9; id += 2) {
      server.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, id, 0, null));
    }
    assertEquals(3, server.accepted.size());
    List<YamuxFrame> frames = writtenFrames(server.channel);
    assertEquals(2, frames.size());
    for (YamuxFrame f : frames) {
      assertTrue(f.hasFlag(YamuxFlags.RST));
    }
    assertEquals(2, server.session.refusedStreams());
    assertTrue(server.channel.isOpen());
  }

  @Test
  void unacknowledgedInboundStreamsAreCappedAtTheBacklog() {
    Side server = side(CONFIG.withMaxInboundStreams(10_000), false, true);
    for (int id = 1; id < 2 * 300; id += 2) {
      server.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, id, 0, null));
      if (id == 401) {
        writtenFrames(server.channel);
      }
    }
    assertEquals(YamuxConfig.DEFAULT_MAX_ACK_BACKLOG, server.accepted.size());
    assertEquals(300 - YamuxConfig.DEFAULT_MAX_ACK_BACKLOG, server.session.refusedStreams());
    long resets = writtenFrames(server.channel).stream().filter(f -> f.hasFlag(YamuxFlags.RST)).count();
    assertEquals(300 - YamuxConfig.DEFAULT_MAX_ACK_BACKLOG, resets, "every refused SYN answered with RST");
  }

  @Test
  void streamsBeyondTheEarlyLimitWaitUntilTheRemoteServes() {
    Side client = side(CONFIG, true, true);
    List<CompletableFuture<YamuxStreamChannel>> opens = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      opens.add(client.session.openStream(null));
    }
    client.channel.runPendingTasks();
    long syns = writtenFrames(client.channel).stream().filter(f -> f.hasFlag(YamuxFlags.SYN)).count();
    assertEquals(YamuxConfig.DEFAULT_MAX_EARLY_STREAMS, syns,
        "a session that has not seen the remote serve opens only a few streams (js resets past 10)");
    assertEquals(YamuxConfig.DEFAULT_MAX_EARLY_STREAMS, opens.stream().filter(CompletableFuture::isDone).count());

    client.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.ACK, 1, 0, null));
    assertEquals(0, writtenFrames(client.channel).size(), "an ACK alone is no sign: js ACKs before it serves");
    opens.get(1).join().reset();
    assertEquals(1, writtenFrames(client.channel).stream().filter(f -> f.hasFlag(YamuxFlags.SYN)).count(),
        "a closed early stream frees its place");

    client.channel.writeInbound(frame(YamuxFrameType.DATA, 0, 1, 3, new byte[] {1, 2, 3}));
    assertEquals(20 - YamuxConfig.DEFAULT_MAX_EARLY_STREAMS - 1,
        writtenFrames(client.channel).stream().filter(f -> f.hasFlag(YamuxFlags.SYN)).count(),
        "data from the remote releases the waiting opens");
    assertTrue(opens.stream().allMatch(CompletableFuture::isDone));
  }

  @Test
  void anInboundStreamAlsoShowsTheRemoteServes() {
    Side server = side(CONFIG, false, true);
    List<CompletableFuture<YamuxStreamChannel>> opens = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      opens.add(server.session.openStream(null));
    }
    server.channel.runPendingTasks();
    assertEquals(YamuxConfig.DEFAULT_MAX_EARLY_STREAMS, opens.stream().filter(CompletableFuture::isDone).count());
    server.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 1, 0, null));
    assertEquals(12, opens.stream().filter(CompletableFuture::isDone).count());
  }

  @Test
  void dialerKeepsAtMost256StreamsUnacknowledged() {
    Side client = side(CONFIG, true, true);
    client.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.SYN, 2, 0, null)); // remote serves
    List<CompletableFuture<YamuxStreamChannel>> opens = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      opens.add(client.session.openStream(null));
    }
    client.channel.runPendingTasks();
    long syns = writtenFrames(client.channel).stream().filter(f -> f.hasFlag(YamuxFlags.SYN)).count();
    assertEquals(256, syns);
    assertEquals(256, opens.stream().filter(CompletableFuture::isDone).count());
    client.channel.writeInbound(frame(YamuxFrameType.WINDOW_UPDATE, YamuxFlags.ACK, 1, 0, null));
    assertEquals(257, opens.stream().filter(CompletableFuture::isDone).count());
  }

  @Test
  void resetAfterFinIsTolerated() {
    Side client = side(CONFIG, true, true);
    Side server = side(CONFIG, false, true);
    YamuxStreamChannel stream = open(client, new StreamSink());
    stream.writeAndFlush(text("a"));
    stream.closeWrite();
    shuttle(client, server);
    server.accepted.get(0).reset();
    shuttle(client, server);
    assertFalse(stream.isOpen());
    assertEquals(0, client.session.streamCount());
    assertTrue(client.channel.isOpen() && server.channel.isOpen());
  }

  @Test
  void closedStreamIsResetWhenTheRemoteNeverFinishes() {
    Side client = side(CONFIG, true, true);
    Side server = side(CONFIG, false, true);
    YamuxStreamChannel stream = open(client, new StreamSink());
    stream.writeAndFlush(text("x"));
    stream.close();
    shuttle(client, server);
    assertEquals(1, client.session.streamCount(), "kept until the remote FINs");
    client.channel.advanceTimeBy(CONFIG.streamCloseTimeout().toMillis(), TimeUnit.MILLISECONDS);
    client.channel.runScheduledPendingTasks();
    List<YamuxFrame> frames = writtenFrames(client.channel);
    assertEquals(1, frames.size());
    assertTrue(frames.get(0).hasFlag(YamuxFlags.RST));
    assertEquals(0, client.session.streamCount());
  }

  @Test
  void goAwayStopsNewStreams() {
    Side client = side(CONFIG, true, true);
    client.channel.writeInbound(frame(YamuxFrameType.GO_AWAY, 0, 0, 0, null));
    CompletableFuture<YamuxStreamChannel> f = client.session.openStream(null);
    client.channel.runPendingTasks();
    assertTrue(f.isCompletedExceptionally());
  }
}
