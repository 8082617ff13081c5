package io.disjoint.p2p.yamux;

/** The Yamux frame types; the code is the header's type byte. */
public enum YamuxFrameType {
  DATA(0),
  WINDOW_UPDATE(1),
  PING(2),
  GO_AWAY(3);

  private static final YamuxFrameType[] BY_CODE = values();

  private final int code;

  YamuxFrameType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type for a code, or null if the code is unknown. */
  public static YamuxFrameType ofCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
