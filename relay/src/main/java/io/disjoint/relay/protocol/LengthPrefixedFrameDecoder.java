package io.disjoint.relay.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a byte stream into frames of the form {@code uvarint(length) || body}. Emits each body as
 * a retained slice (the next handler releases it). The length is checked against the limit before
 * any body byte is buffered; a non-minimal or over-long varint or an oversized frame is a protocol
 * violation by the remote side.
 */
public final class LengthPrefixedFrameDecoder extends ByteToMessageDecoder {
  private enum State {
    READ_LENGTH,
    READ_BODY,
    FAILED
  }

  /** A uvarint of at most 5 bytes covers every length up to 2^35 - 1, far above any limit. */
  private static final int MAX_VARINT_BYTES = 5;

  private final int maxFrameLength;
  private State state = State.READ_LENGTH;
  private int bodyLength;

  public LengthPrefixedFrameDecoder(int maxFrameLength) {
    if (maxFrameLength <= 0) {
      throw new IllegalArgumentException("maxFrameLength must be > 0");
    }
    this.maxFrameLength = maxFrameLength;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (true) {
      switch (state) {
        case READ_LENGTH -> {
          long length = readVarint(in);
          if (length < 0) {
            return;
          }
          if (length > maxFrameLength) {
            fail("frame of " + length + " bytes exceeds the limit of " + maxFrameLength);
          }
          bodyLength = (int) length;
          state = State.READ_BODY;
        }
        case READ_BODY -> {
          if (in.readableBytes() < bodyLength) {
            return;
          }
          out.add(in.readRetainedSlice(bodyLength));
          state = State.READ_LENGTH;
          if (!in.isReadable()) {
            return;
          }
        }
        case FAILED -> {
          in.skipBytes(in.readableBytes());
          return;
        }
      }
    }
  }

  /** Reads one minimal uvarint, or returns -1 (consuming nothing) when bytes are short. */
  private long readVarint(ByteBuf in) {
    int start = in.readerIndex();
    int available = in.readableBytes();
    long value = 0;
    for (int i = 0; i < MAX_VARINT_BYTES; i++) {
      if (i >= available) {
        return -1;
      }
      int b = in.getUnsignedByte(start + i);
      value |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          fail("non-minimal varint length prefix");
        }
        in.readerIndex(start + i + 1);
        return value;
      }
    }
    fail("varint length prefix longer than " + MAX_VARINT_BYTES + " bytes");
    return -1;
  }

  private void fail(String reason) {
    state = State.FAILED;
    throw new RelayProtocolException(reason);
  }
}
