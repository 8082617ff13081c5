package io.disjoint.p2p.yamux;

import io.disjoint.p2p.P2pException.Fault;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes Yamux frames as an explicit state machine. The header is validated (version 0, known
 * type, known flags, data length within {@code maxDataLength}) before any payload is buffered; a
 * Data frame is emitted once its whole payload has arrived, as a retained slice.
 */
public final class YamuxFrameDecoder extends ByteToMessageDecoder {
  private enum State {
    HEADER,
    PAYLOAD,
    FAILED
  }

  /** A check of each header against session state, before the payload is buffered. */
  @FunctionalInterface
  public interface HeaderCheck {
    /** Returns null if the frame is acceptable, else why it is not (the peer's fault). */
    String check(YamuxFrameType type, int flags, int streamId, long length);
  }

  private final int maxDataLength;
  private final HeaderCheck headerCheck;
  private State state = State.HEADER;
  private YamuxFrameType type;
  private int flags;
  private int streamId;
  private long length;

  public YamuxFrameDecoder(int maxDataLength) {
    this(maxDataLength, (type, flags, streamId, length) -> null);
  }

  /**
   * @param maxDataLength hard limit on a Data payload
   * @param headerCheck session-level check (e.g. the stream's receive window) run on each header
   *     before its payload is buffered
   */
  public YamuxFrameDecoder(int maxDataLength, HeaderCheck headerCheck) {
    if (maxDataLength <= 0) {
      throw new IllegalArgumentException("maxDataLength must be positive");
    }
    this.maxDataLength = maxDataLength;
    this.headerCheck = java.util.Objects.requireNonNull(headerCheck, "headerCheck");
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (true) {
      switch (state) {
        case FAILED -> {
          in.skipBytes(in.readableBytes());
          return;
        }
        case HEADER -> {
          if (in.readableBytes() < YamuxFrame.HEADER_LENGTH) {
            return;
          }
          readHeader(in);
          if (type != YamuxFrameType.DATA || length == 0) {
            out.add(YamuxFrame.control(type, flags, streamId, length));
            continue;
          }
          state = State.PAYLOAD;
        }
        case PAYLOAD -> {
          if (in.readableBytes() < length) {
            return;
          }
          ByteBuf payload = in.readRetainedSlice((int) length);
          state = State.HEADER;
          out.add(new YamuxFrame(type, flags, streamId, length, payload));
        }
        default -> throw new IllegalStateException(state.name());
      }
    }
  }

  private void readHeader(ByteBuf in) {
    int version = in.getUnsignedByte(in.readerIndex());
    int typeCode = in.getUnsignedByte(in.readerIndex() + 1);
    int flagBits = in.getUnsignedShort(in.readerIndex() + 2);
    int id = in.getInt(in.readerIndex() + 4);
    long len = in.getUnsignedInt(in.readerIndex() + 8);
    String error = validate(version, typeCode, flagBits, id, len);
    if (error != null) {
      in.skipBytes(in.readableBytes());
      throw fail(error);
    }
    in.skipBytes(YamuxFrame.HEADER_LENGTH);
    type = YamuxFrameType.ofCode(typeCode);
    flags = flagBits;
    streamId = id;
    length = len;
  }

  private String validate(int version, int typeCode, int flagBits, int id, long len) {
    if (version != YamuxFrame.VERSION) {
      return "unsupported yamux version " + version;
    }
    YamuxFrameType t = YamuxFrameType.ofCode(typeCode);
    if (t == null) {
      return "unknown yamux frame type " + typeCode;
    }
    if ((flagBits & ~YamuxFlags.ALL) != 0) {
      return "unknown yamux flags 0x" + Integer.toHexString(flagBits);
    }
    if ((t == YamuxFrameType.PING || t == YamuxFrameType.GO_AWAY) && id != 0) {
      return t + " frame on stream " + Integer.toUnsignedString(id);
    }
    if (t == YamuxFrameType.DATA && len > maxDataLength) {
      return "yamux data frame of " + len + " bytes exceeds limit " + maxDataLength;
    }
    return headerCheck.check(t, flagBits, id, len);
  }

  private YamuxException fail(String message) {
    state = State.FAILED;
    return new YamuxException(Fault.PEER, message);
  }

  /** Encodes a frame (header and payload) into a new buffer; releases the frame's payload. */
  public static ByteBuf encode(io.netty.buffer.ByteBufAllocator alloc, YamuxFrame frame) {
    ByteBuf header = alloc.buffer(YamuxFrame.HEADER_LENGTH);
    YamuxFrame.writeHeader(header, frame.type(), frame.flags(), frame.streamId(), frame.length());
    if (frame.data() == Unpooled.EMPTY_BUFFER || !frame.data().isReadable()) {
      frame.release();
      return header;
    }
    return Unpooled.wrappedBuffer(header, frame.data());
  }
}
