package io.disjoint.p2p.multistream;

import io.disjoint.p2p.P2pException.Fault;
import io.disjoint.p2p.wire.DecodeException;
import io.disjoint.p2p.wire.Uvarint;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads multistream-select lines from a cumulation buffer as an explicit state machine. The length
 * is checked against {@link MultistreamProtocol#MAX_LINE_BYTES} before anything is buffered; a
 * line must end with a newline. Once it has thrown, the reader stays failed.
 */
public final class MultistreamLineReader {
  private enum State {
    READ_LENGTH,
    READ_LINE,
    FAILED
  }

  private State state = State.READ_LENGTH;
  private int lineLength;

  /**
   * Returns the next complete line without its newline, or null if {@code in} does not hold one
   * yet. Consumes exactly the bytes of the returned line.
   *
   * @throws MultistreamException if the bytes are not a valid line (the peer's fault)
   */
  public String next(ByteBuf in) {
    switch (state) {
      case FAILED -> throw new MultistreamException(Fault.PEER, "multistream reader already failed");
      case READ_LENGTH -> {
        long length;
        try {
          length = Uvarint.read(in, MultistreamProtocol.MAX_LINE_BYTES);
        } catch (DecodeException e) {
          throw fail("bad multistream length prefix: " + e.getMessage());
        }
        if (length == Uvarint.NEED_MORE) {
          return null;
        }
        if (length == 0) {
          throw fail("empty multistream line");
        }
        lineLength = (int) length;
        state = State.READ_LINE;
        return next(in);
      }
      case READ_LINE -> {
        if (in.readableBytes() < lineLength) {
          return null;
        }
        if (in.getByte(in.readerIndex() + lineLength - 1) != '\n') {
          throw fail("multistream line does not end with a newline");
        }
        String line = in.toString(in.readerIndex(), lineLength - 1, StandardCharsets.UTF_8);
        in.skipBytes(lineLength);
        state = State.READ_LENGTH;
        return line;
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private MultistreamException fail(String message) {
    state = State.FAILED;
    return new MultistreamException(Fault.PEER, message);
  }

  /** A printable, bounded rendering of a line from a peer, for log messages. */
  static String sanitize(String line) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < line.length() && out.length() < 80; i++) {
      char c = line.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }
}
