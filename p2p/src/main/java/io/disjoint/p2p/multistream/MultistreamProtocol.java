package io.disjoint.p2p.multistream;

import io.disjoint.p2p.wire.Uvarint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * multistream-select 1.0 constants and the line encoding: {@code uvarint(len) || utf8 || '\n'},
 * where len counts the newline.
 */
public final class MultistreamProtocol {
  public static final String HEADER = "/multistream/1.0.0";
  public static final String NOT_AVAILABLE = "na";
  public static final String LIST = "ls";
  /** Longest accepted line, newline included. */
  public static final int MAX_LINE_BYTES = 1024;

  private MultistreamProtocol() {}

  /** Appends one line to {@code out}. */
  public static void writeLine(ByteBuf out, String line) {
    byte[] text = line.getBytes(StandardCharsets.UTF_8);
    if (text.length + 1 > MAX_LINE_BYTES) {
      throw new IllegalArgumentException("multistream line longer than " + MAX_LINE_BYTES);
    }
    for (byte b : text) {
      if (b == '\n') {
        throw new IllegalArgumentException("multistream line must not contain a newline");
      }
    }
    Uvarint.write(out, text.length + 1L);
    out.writeBytes(text);
    out.writeByte('\n');
  }

  /** A new buffer holding the given lines, in order. */
  public static ByteBuf encode(ByteBufAllocator alloc, String... lines) {
    ByteBuf out = alloc.buffer();
    try {
      for (String line : lines) {
        writeLine(out, line);
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }
}
