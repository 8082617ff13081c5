package io.disjoint.p2p.yamux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the Yamux decoder and session with arbitrary bytes from the remote. The saved corpus
 * under src/test/resources replays in every test run; to fuzz for real run
 * {@code JAZZER_FUZZ=1 ./mvnw -pl p2p test -Dtest=YamuxFuzzTest} (see docs/protocols.md).
 */
class YamuxFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void fuzzSession(byte[] input) {
    YamuxConfig config = YamuxConfig.defaults().withKeepAliveInterval(Duration.ZERO).withMaxInboundStreams(8);
    List<YamuxStreamChannel> accepted = new ArrayList<>();
    EmbeddedChannel ch = new EmbeddedChannel();
    YamuxSession session = new YamuxSession(config, false, stream -> {
      accepted.add(stream);
      stream.config().setAutoRead((stream.streamId() & 2) == 0);
    });
    ch.pipeline().addLast(new YamuxFrameDecoder(config.maxStreamWindow(), session::checkHeader), session);
    // The first byte picks the fragmentation; the rest is what the remote sends.
    int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0x3F);
    List<ByteBuf> parts = new ArrayList<>();
    for (int i = 1; i < input.length && ch.isOpen(); i += chunk) {
      ByteBuf part = Unpooled.copiedBuffer(input, i, Math.min(chunk, input.length - i));
      parts.add(part);
      ch.writeInbound(part);
      ByteBuf out;
      while ((out = ch.readOutbound()) != null) {
        out.release();
      }
    }
    ch.checkException();
    ch.finishAndReleaseAll();
    for (ByteBuf part : parts) {
      assertEquals(0, part.refCnt(), "every input buffer released once");
    }
  }
}
