package io.disjoint.p2p.yamux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.disjoint.p2p.yamux.YamuxTestSupport.Side;
import io.disjoint.p2p.yamux.YamuxTestSupport.StreamSink;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A half-close requested from a write's completion listener (request/response protocols do
 * exactly this: write the request, then closeWrite when it is written) must send its FIN after
 * that write's data, never before it.
 */
class YamuxHalfCloseOrderTest {
  private static final YamuxConfig CONFIG = YamuxConfig.defaults().withKeepAliveInterval(Duration.ZERO);
  private final List<Side> sides = new ArrayList<>();
  private final List<StreamSink> sinks = new ArrayList<>();

  @AfterEach
  void release() {
    sinks.forEach(s -> s.received.release());
    for (Side s : sides) {
      s.sinks.forEach(k -> k.received.release());
      s.channel.finishAndReleaseAll();
    }
  }

  @Test
  void closeWriteFromAWriteListenerSendsFinAfterTheData() {
    Side client = new Side(CONFIG, true, true);
    Side server = new Side(CONFIG, false, true);
    sides.add(client);
    sides.add(server);
    StreamSink sink = new StreamSink();
    sinks.add(sink);
    CompletableFuture<YamuxStreamChannel> opened = client.session.openStream(sink);
    client.channel.runPendingTasks();
    YamuxStreamChannel stream = opened.join();

    stream.write(Unpooled.copiedBuffer("first ", StandardCharsets.UTF_8));
    // The listener is in place before the write runs, as when the write comes from another thread.
    stream.write(Unpooled.copiedBuffer("request", StandardCharsets.UTF_8)).addListener(f -> stream.closeWrite());
    stream.flush();
    client.channel.runPendingTasks();

    List<YamuxFrame> frames = YamuxTestSupport.writtenFrames(client.channel);
    StringBuilder order = new StringBuilder();
    for (YamuxFrame f : frames) {
      if (f.streamId() != stream.streamId()) {
        continue;
      }
      if (f.type() == YamuxFrameType.DATA && f.length() > 0) {
        order.append("data(").append(f.data().toString(StandardCharsets.UTF_8)).append(')');
      }
      if (f.hasFlag(YamuxFlags.FIN)) {
        order.append("fin");
      }
      f.release();
    }
    assertEquals("data(first request)fin", order.toString(), "the FIN follows the data it was asked after");
  }
}
