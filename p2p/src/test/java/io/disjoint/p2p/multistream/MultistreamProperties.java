package io.disjoint.p2p.multistream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class MultistreamProperties {

  @Provide
  Arbitrary<List<String>> lineLists() {
    return Arbitraries.strings()
        .withCharRange(' ', '~')
        .ofMinLength(0)
        .ofMaxLength(MultistreamProtocol.MAX_LINE_BYTES - 1)
        .list()
        .ofMaxSize(8);
  }

  @Property
  void linesRoundTripInAnyChunking(
      @ForAll("lineLists") List<String> lines, @ForAll @IntRange(min = 1, max = 2000) int chunk) {
    ByteBuf encoded = MultistreamProtocol.encode(Unpooled.buffer().alloc(), lines.toArray(String[]::new));
    MultistreamLineReader reader = new MultistreamLineReader();
    ByteBuf cumulation = Unpooled.buffer();
    List<String> decoded = new ArrayList<>();
    while (encoded.isReadable()) {
      cumulation.writeBytes(encoded, Math.min(chunk, encoded.readableBytes()));
      String line;
      while ((line = reader.next(cumulation)) != null) {
        decoded.add(line);
      }
    }
    assertEquals(lines, decoded);
    assertEquals(0, cumulation.readableBytes());
    assertTrue(encoded.release());
    assertTrue(cumulation.release());
  }

  @Property
  void mutatedBytesEitherDecodeOrFailWithMultistreamException(
      @ForAll("lineLists") List<String> lines,
      @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 100_000) Integer> positions,
      @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 255) Integer> values) {
    ByteBuf encoded = MultistreamProtocol.encode(Unpooled.buffer().alloc(), lines.toArray(String[]::new));
    for (int i = 0; i < Math.min(positions.size(), values.size()) && encoded.writerIndex() > 0; i++) {
      encoded.setByte(positions.get(i) % encoded.writerIndex(), values.get(i));
    }
    MultistreamLineReader reader = new MultistreamLineReader();
    try {
      String line;
      while ((line = reader.next(encoded)) != null) {
        assertTrue(line.length() < MultistreamProtocol.MAX_LINE_BYTES);
      }
    } catch (MultistreamException expected) {
      // a peer's bad bytes: the only permitted failure
    } finally {
      assertTrue(encoded.release());
    }
  }
}
