package io.disjoint.p2p.yamux;

/** Bits of the Yamux header's 16-bit flags field. */
public final class YamuxFlags {
  public static final int SYN = 0x1;
  public static final int ACK = 0x2;
  public static final int FIN = 0x4;
  public static final int RST = 0x8;
  public static final int ALL = SYN | ACK | FIN | RST;

  private YamuxFlags() {}

  public static boolean has(int flags, int flag) {
    return (flags & flag) != 0;
  }
}
