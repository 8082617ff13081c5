package io.disjoint.p2p.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The transport codec fed in every fragmentation, with reference counts checked. */
class NoiseFrameCodecTest {

  /** A matched pair of codecs (as after a handshake) on two embedded channels with sinks. */
  static final class Pair {
    final Capture senderSink = new Capture();
    final Capture receiverSink = new Capture();
    final EmbeddedChannel sender;
    final EmbeddedChannel receiver;

    Pair(long keySeed) {
      byte[] k1 = new byte[32];
      byte[] k2 = new byte[32];
      Random r = new Random(keySeed);
      r.nextBytes(k1);
      r.nextBytes(k2);
      sender = new EmbeddedChannel(new NoiseFrameCodec(cipher(k1), cipher(k2)), senderSink);
      receiver = new EmbeddedChannel(new NoiseFrameCodec(cipher(k2), cipher(k1)), receiverSink);
    }

    /** Everything the sender wrote, as one unpooled array (outbound buffers released). */
    byte[] wire() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuf b;
      while ((b = sender.readOutbound()) != null) {
        out.writeBytes(ByteBufUtil.getBytes(b));
        b.release();
      }
      return out.toByteArray();
    }

    void close() {
      sender.finishAndReleaseAll();
      receiver.finishAndReleaseAll();
    }
  }

  static CipherState cipher(byte[] key) {
    CipherState c = new CipherState();
    c.initializeKey(key);
    return c;
  }

  /** Feeds {@code wire} to the channel in pieces cut at {@code cuts}, asserting each piece is released. */
  static void feed(EmbeddedChannel ch, byte[] wire, int[] cuts) {
    int from = 0;
    for (int cut : cuts) {
      feedPiece(ch, Arrays.copyOfRange(wire, from, cut));
      from = cut;
    }
    feedPiece(ch, Arrays.copyOfRange(wire, from, wire.length));
  }

  private static void feedPiece(EmbeddedChannel ch, byte[] piece) {
    if (piece.length == 0 || !ch.isOpen()) {
      return;
    }
    ByteBuf buf = Unpooled.wrappedBuffer(piece);
    ch.writeInbound(buf);
    assertEquals(0, buf.refCnt(), "codec releases every inbound buffer");
  }

  static int[] everyByte(int length) {
    int[] cuts = new int[Math.max(0, length - 1)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    return cuts;
  }

  static int[] randomCuts(int length, Random random) {
    return random.ints(random.nextInt(20), 0, Math.max(1, length)).sorted().toArray();
  }

  @Test
  void decodesOneByteAtATimeAndInRandomSplits() {
    byte[] message = new byte[3000];
    new Random(1).nextBytes(message);
    for (int variant = 0; variant < 12; variant++) {
      Pair pair = new Pair(7);
      pair.sender.write(Unpooled.wrappedBuffer(message, 0, 1000));
      pair.sender.write(Unpooled.wrappedBuffer(message, 1000, 2000));
      pair.sender.flush();
      byte[] wire = pair.wire();
      assertEquals(2 + 16 + 3000, wire.length, "two writes before a flush share one frame");
      int[] cuts = variant == 0 ? everyByte(wire.length) : randomCuts(wire.length, new Random(variant));
      feed(pair.receiver, wire, cuts);
      assertArrayEquals(message, pair.receiverSink.bytes());
      assertTrue(pair.receiverSink.exceptions.isEmpty());
      pair.close();
    }
  }

  @Test
  void chunksLargeWritesIntoMaximalFramesInOneSocketWrite() {
    Pair pair = new Pair(3);
    byte[] big = new byte[200_000];
    new Random(2).nextBytes(big);
    CompositeByteBuf composite = Unpooled.compositeBuffer();
    composite.addComponent(true, Unpooled.wrappedBuffer(big, 0, 70_000));
    composite.addComponent(true, Unpooled.directBuffer(130_000).writeBytes(big, 70_000, 130_000));
    ChannelFuture written = pair.sender.writeAndFlush(composite);
    assertTrue(written.isSuccess());
    assertEquals(0, composite.refCnt());
    ByteBuf out = pair.sender.readOutbound();
    assertTrue(pair.sender.outboundMessages().isEmpty(), "all frames gathered into one buffer");
    byte[] wire = ByteBufUtil.getBytes(out);
    out.release();
    int frames = 0;
    for (int pos = 0; pos < wire.length; frames++) {
      int len = ((wire[pos] & 0xFF) << 8) | (wire[pos + 1] & 0xFF);
      assertTrue(len <= NoiseFrameCodec.MAX_FRAME_LENGTH);
      pos += 2 + len;
    }
    assertEquals((200_000 + 65_518) / 65_519, frames);
    feed(pair.receiver, wire, randomCuts(wire.length, new Random(4)));
    assertArrayEquals(big, pair.receiverSink.bytes());
    pair.close();
  }

  @Test
  void tamperedFrameClosesTheChannelWithAPeerFault() {
    Pair pair = new Pair(5);
    pair.sender.writeAndFlush(Unpooled.wrappedBuffer(new byte[100]));
    byte[] wire = pair.wire();
    wire[50] ^= 0x20;
    feed(pair.receiver, wire, new int[0]);
    assertFalse(pair.receiver.isOpen());
    assertEquals(1, pair.receiverSink.exceptions.size());
    NoiseException e = assertInstanceOf(NoiseException.class, pair.receiverSink.exceptions.get(0));
    assertEquals(NoiseException.Fault.PEER, e.fault());
    assertEquals(0, pair.receiverSink.bytes().length);
    pair.close();
  }

  @Test
  void maximumLengthGarbageFrameAndTooShortFrameAreRejected() {
    Pair pair = new Pair(6);
    byte[] garbage = new byte[2 + 65_535];
    garbage[0] = (byte) 0xFF;
    garbage[1] = (byte) 0xFF;
    feed(pair.receiver, garbage, new int[] {1, 30_000});
    assertFalse(pair.receiver.isOpen());
    assertTrue(pair.receiverSink.exceptions.get(0).getMessage().contains("decryption failed"));
    pair.close();

    Pair shortFrame = new Pair(6);
    feed(shortFrame.receiver, new byte[] {0, 15, 1, 2, 3}, new int[0]);
    assertFalse(shortFrame.receiver.isOpen());
    assertTrue(shortFrame.receiverSink.exceptions.get(0).getMessage().contains("shorter than its 16-byte tag"));
    shortFrame.close();
  }

  @Test
  void unflushedWritesAreFailedAndReleasedOnClose() {
    Pair pair = new Pair(8);
    ByteBuf data = Unpooled.wrappedBuffer(new byte[10]);
    ChannelFuture f = pair.sender.write(data);
    pair.sender.close();
    assertFalse(f.isSuccess());
    assertEquals(0, data.refCnt());
    pair.close();
  }

  /** Plaintext length of each frame on the wire. */
  static List<Integer> framePlaintextLengths(byte[] wire) {
    List<Integer> lengths = new ArrayList<>();
    for (int pos = 0; pos < wire.length; ) {
      int len = ((wire[pos] & 0xFF) << 8) | (wire[pos + 1] & 0xFF);
      lengths.add(len - 16);
      pos += 2 + len;
    }
    return lengths;
  }

  /** {@code bytes} as one of the buffer kinds a pipeline writes: heap, read-only heap, direct, or composite of those. */
  static ByteBuf bufferOfKind(byte[] bytes, int kind) {
    return switch (kind % 4) {
      case 0 -> Unpooled.wrappedBuffer(bytes);
      case 1 -> Unpooled.wrappedBuffer(bytes).asReadOnly();
      case 2 -> Unpooled.directBuffer(Math.max(1, bytes.length)).writeBytes(bytes);
      default -> {
        int half = bytes.length / 2;
        CompositeByteBuf c = Unpooled.compositeBuffer();
        c.addComponent(true, Unpooled.directBuffer(Math.max(1, half)).writeBytes(bytes, 0, half));
        c.addComponent(true, Unpooled.wrappedBuffer(bytes, half, bytes.length - half).asReadOnly());
        yield c;
      }
    };
  }

  @Test
  void aWriteThatFitsInAFrameIsNeverSplitAcrossTwo() {
    Pair pair = new Pair(10);
    Random r = new Random(10);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    int[][] batches = {
      {41, 65_519}, // a small muxer frame, then a full one: the full one gets a Noise frame of its own
      {30_000, 30_000, 30_000}, // the third does not fit behind the first two
      {1_000, 100_000}, // larger than a frame: fills the current one, then full frames
    };
    List<List<Integer>> expectedFrames = List.of(List.of(41, 65_519), List.of(60_000, 30_000),
        List.of(65_519, 35_481));
    for (int b = 0; b < batches.length; b++) {
      for (int size : batches[b]) {
        byte[] w = new byte[size];
        r.nextBytes(w);
        expected.writeBytes(w);
        pair.sender.write(bufferOfKind(w, size));
      }
      pair.sender.flush();
      byte[] wire = pair.wire();
      assertEquals(expectedFrames.get(b), framePlaintextLengths(wire));
      int before = pair.receiverSink.received.size();
      feed(pair.receiver, wire, randomCuts(wire.length, r));
      assertEquals(expectedFrames.get(b).size(), pair.receiverSink.received.size() - before,
          "one decrypted buffer per frame, whatever the reads");
    }
    assertArrayEquals(expected.toByteArray(), pair.receiverSink.bytes());
    pair.close();
  }

  @Property(tries = 200)
  void roundTripsAnyWritesInAnySplits(
      @ForAll @Size(max = 8) List<@Size(max = 70_000) byte[]> writes, @ForAll long seed) {
    Pair pair = new Pair(seed);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    Random random = new Random(seed);
    List<ByteBuf> written = new ArrayList<>();
    for (byte[] w : writes) {
      ByteBuf buf = bufferOfKind(w, random.nextInt(4));
      if (w.length > 0) {
        written.add(buf); // (an empty wrapped array is the unreleasable EMPTY_BUFFER)
      }
      pair.sender.write(buf);
      expected.writeBytes(w);
      if (random.nextBoolean()) {
        pair.sender.flush();
      }
    }
    pair.sender.flush();
    written.forEach(b -> assertEquals(0, b.refCnt(), "every write released once encrypted"));
    byte[] wire = pair.wire();
    feed(pair.receiver, wire, randomCuts(wire.length, random));
    assertArrayEquals(expected.toByteArray(), pair.receiverSink.bytes());
    assertTrue(pair.receiverSink.exceptions.isEmpty());
    pair.close();
  }

  @Property(tries = 300)
  void mutatedBytesNeverYieldForgedPlaintext(
      @ForAll @Size(min = 1, max = 3) List<@Size(min = 1, max = 300) byte[]> writes,
      @ForAll @IntRange(min = 0, max = 100_000) int position,
      @ForAll @IntRange(min = 1, max = 255) int flip,
      @ForAll long seed) {
    Pair pair = new Pair(seed);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (byte[] w : writes) {
      pair.sender.writeAndFlush(Unpooled.wrappedBuffer(w));
      expected.writeBytes(w);
    }
    byte[] wire = pair.wire();
    int at = position % wire.length;
    wire[at] ^= (byte) flip;
    feed(pair.receiver, wire, randomCuts(wire.length, new Random(seed)));
    byte[] got = pair.receiverSink.bytes();
    byte[] sent = expected.toByteArray();
    // only whole frames before the mutated one may come through, and only unmodified
    assertTrue(got.length < sent.length, "a mutated stream never delivers everything");
    assertArrayEquals(Arrays.copyOf(sent, got.length), got);
    for (Throwable t : pair.receiverSink.exceptions) {
      assertInstanceOf(NoiseException.class, t);
    }
    pair.close();
  }

  @Test
  void interleavedWritesKeepTheirOrderAcrossEagerEncryption() {
    Pair pair = new Pair(9);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    List<ChannelFuture> futures = new ArrayList<>();
    Random r = new Random(9);
    for (int i = 0; i < 50; i++) {
      byte[] w = new byte[r.nextInt(10_000)];
      r.nextBytes(w);
      expected.writeBytes(w);
      futures.add(pair.sender.write(Unpooled.wrappedBuffer(w))); // no flush: eager encryption kicks in
    }
    pair.sender.flush();
    futures.forEach(f -> assertTrue(f.isSuccess()));
    feed(pair.receiver, pair.wire(), new int[0]);
    assertArrayEquals(expected.toByteArray(), pair.receiverSink.bytes());
    pair.close();
  }
}
