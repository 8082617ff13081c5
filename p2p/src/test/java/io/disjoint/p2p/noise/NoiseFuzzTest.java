package io.disjoint.p2p.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.disjoint.p2p.crypto.PrivKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Fuzz targets for the Noise transport frame decoder, the responder side of the handshake and the
 * handshake payload parser. The saved corpus under
 * src/test/resources/io/disjoint/p2p/noise/NoiseFuzzTestInputs/ replays in every test run. To fuzz
 * one target for minutes:
 *
 * <pre>
 *   JAZZER_FUZZ=1 ./mvnw -pl p2p test -Dtest='NoiseFuzzTest#fuzzFrameDecoder'
 *   JAZZER_FUZZ=1 ./mvnw -pl p2p test -Dtest='NoiseFuzzTest#fuzzHandshakeResponder'
 *   JAZZER_FUZZ=1 ./mvnw -pl p2p test -Dtest='NoiseFuzzTest#fuzzHandshakePayload'
 * </pre>
 *
 * Only {@link NoiseException}s may come out, and every inbound buffer must be released once.
 */
class NoiseFuzzTest {
  /** Keys of the frame decoder: the corpus holds frames encrypted under RECEIVE_KEY. */
  static final byte[] RECEIVE_KEY = filled(0x01);
  static final byte[] SEND_KEY = filled(0x02);
  private static final PrivKey RESPONDER = PrivKey.unmarshal(HexFormat.of().parseHex(
      "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
          + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));

  @FuzzTest(maxDuration = "5m")
  void fuzzFrameDecoder(byte[] input) {
    Capture sink = new Capture();
    EmbeddedChannel ch = new EmbeddedChannel(
        new NoiseFrameCodec(NoiseFrameCodecTest.cipher(SEND_KEY), NoiseFrameCodecTest.cipher(RECEIVE_KEY)), sink);
    feedInChunks(ch, input);
    assertOnlyNoiseExceptions(sink);
    ch.finishAndReleaseAll();
  }

  @FuzzTest(maxDuration = "5m")
  void fuzzHandshakeResponder(byte[] input) {
    Capture sink = new Capture();
    NoiseHandshakeHandler handler = new NoiseHandshakeHandler(
        RESPONDER, false, Optional.empty(), List.of("/yamux/1.0.0"), new SecureRandom());
    EmbeddedChannel ch = new EmbeddedChannel(handler, sink);
    feedInChunks(ch, input);
    assertOnlyNoiseExceptions(sink);
    ch.finishAndReleaseAll();
  }

  @FuzzTest(maxDuration = "5m")
  void fuzzHandshakePayload(byte[] input) {
    HandshakePayload decoded;
    try {
      decoded = HandshakePayload.decode(input);
    } catch (NoiseException expected) {
      return;
    }
    assertEquals(decoded, HandshakePayload.decode(decoded.encode()));
  }

  /** The first byte picks the chunk size, so the fuzzer also explores fragmentation. */
  private static void feedInChunks(EmbeddedChannel ch, byte[] input) {
    int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0xFF) * 8;
    List<ByteBuf> parts = new ArrayList<>();
    for (int i = 1; i < input.length && ch.isOpen(); i += chunk) {
      ByteBuf part = Unpooled.wrappedBuffer(Arrays.copyOfRange(input, i, Math.min(input.length, i + chunk)));
      parts.add(part);
      ch.writeInbound(part);
    }
    for (ByteBuf part : parts) {
      assertEquals(0, part.refCnt(), "every inbound buffer released once");
    }
  }

  private static void assertOnlyNoiseExceptions(Capture sink) {
    for (Throwable t : sink.exceptions) {
      assertInstanceOf(NoiseException.class, t);
    }
  }

  private static byte[] filled(int value) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) value);
    return b;
  }
}
