package io.disjoint.p2p.yamux;

/** The error codes a GoAway frame carries in its length field. */
public enum YamuxGoAwayCode {
  NORMAL(0),
  PROTOCOL_ERROR(1),
  INTERNAL_ERROR(2);

  private final int code;

  YamuxGoAwayCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
