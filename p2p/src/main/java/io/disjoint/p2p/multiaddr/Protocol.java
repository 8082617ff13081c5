package io.disjoint.p2p.multiaddr;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Multiaddr protocols this module understands, with their multicodec codes. Address sizes: a
 * positive number of bytes, {@link #VARIABLE} (length-prefixed), or 0 (no value).
 */
public enum Protocol {
  IP4(4, "ip4", 4),
  TCP(6, "tcp", 2),
  UDP(273, "udp", 2),
  IP6(41, "ip6", 16),
  DNS(53, "dns", Protocol.VARIABLE),
  DNS4(54, "dns4", Protocol.VARIABLE),
  DNS6(55, "dns6", Protocol.VARIABLE),
  DNSADDR(56, "dnsaddr", Protocol.VARIABLE),
  P2P(421, "p2p", Protocol.VARIABLE),
  // value-less protocols that appear in peers' listen addresses; understood so those parse
  P2P_CIRCUIT(290, "p2p-circuit", 0),
  TLS(448, "tls", 0),
  NOISE(454, "noise", 0),
  QUIC(460, "quic", 0),
  QUIC_V1(461, "quic-v1", 0),
  WEBTRANSPORT(465, "webtransport", 0),
  WS(477, "ws", 0),
  WSS(478, "wss", 0),
  WEBRTC_DIRECT(280, "webrtc-direct", 0),
  WEBRTC(281, "webrtc", 0);

  public static final int VARIABLE = -1;

  private static final Map<Integer, Protocol> BY_CODE = new HashMap<>();
  private static final Map<String, Protocol> BY_NAME = new HashMap<>();

  static {
    for (Protocol p : values()) {
      BY_CODE.put(p.code, p);
      BY_NAME.put(p.textName, p);
    }
    BY_NAME.put("ipfs", P2P); // legacy name of p2p
  }

  private final int code;
  private final String textName;
  private final int size;

  Protocol(int code, String textName, int size) {
    this.code = code;
    this.textName = textName;
    this.size = size;
  }

  public int code() {
    return code;
  }

  public String textName() {
    return textName;
  }

  /** Value size in bytes, {@link #VARIABLE}, or 0 for protocols without a value. */
  public int size() {
    return size;
  }

  public boolean hasValue() {
    return size != 0;
  }

  public static Optional<Protocol> byCode(long code) {
    return code > Integer.MAX_VALUE ? Optional.empty() : Optional.ofNullable(BY_CODE.get((int) code));
  }

  public static Optional<Protocol> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }
}
