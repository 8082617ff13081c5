package io.disjoint.p2p.multistream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes the listener side of multistream-select with arbitrary bytes. The saved corpus under
 * src/test/resources replays in every test run; to fuzz for real run
 * {@code JAZZER_FUZZ=1 ./mvnw -pl p2p test -Dtest=MultistreamFuzzTest} (see docs/protocols.md).
 */
class MultistreamFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void fuzzListener(byte[] input) {
    MultistreamNegotiator.Callback callback = new MultistreamNegotiator.Callback() {
      @Override
      public void agreed(Channel channel, String protocol) {}
    };
    EmbeddedChannel ch = new EmbeddedChannel(
        MultistreamNegotiator.listener(Set.of("/echo/1.0.0", "/noise")::contains, callback));
    int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0x0F);
    List<ByteBuf> parts = new ArrayList<>();
    for (int i = 0; i < input.length && ch.isOpen(); i += chunk) {
      ByteBuf part = Unpooled.copiedBuffer(input, i, Math.min(chunk, input.length - i));
      parts.add(part);
      ch.writeInbound(part);
    }
    ch.checkException();
    ch.finishAndReleaseAll();
    for (ByteBuf part : parts) {
      assertEquals(0, part.refCnt(), "every input buffer released once");
    }
  }
}
