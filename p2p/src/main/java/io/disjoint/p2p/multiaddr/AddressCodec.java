package io.disjoint.p2p.multiaddr;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.wire.DecodeException;
import java.nio.charset.StandardCharsets;

/** Text and binary forms of multiaddr component values. Never resolves names. */
final class AddressCodec {
  static final int MAX_DNS_NAME_BYTES = 255;

  private AddressCodec() {}

  static void validate(Protocol protocol, byte[] value) {
    int size = protocol.size();
    if (size >= 0 && value.length != size) {
      throw new DecodeException(
          "/" + protocol.textName() + " value must be " + size + " bytes, got " + value.length);
    }
    switch (protocol) {
      case DNS, DNS4, DNS6, DNSADDR -> {
        if (value.length == 0 || value.length > MAX_DNS_NAME_BYTES) {
          throw new DecodeException("/" + protocol.textName() + " name must be 1.." + MAX_DNS_NAME_BYTES + " bytes");
        }
        String name = new String(value, StandardCharsets.UTF_8);
        if (name.indexOf('/') >= 0 || !java.util.Arrays.equals(name.getBytes(StandardCharsets.UTF_8), value)) {
          throw new DecodeException("/" + protocol.textName() + " name is not valid UTF-8 without '/'");
        }
      }
      case P2P -> PeerId.fromBytes(value);
      default -> {}
    }
  }

  static String toText(Protocol protocol, byte[] value) {
    return switch (protocol) {
      case IP4 -> (value[0] & 0xFF) + "." + (value[1] & 0xFF) + "." + (value[2] & 0xFF) + "." + (value[3] & 0xFF);
      case IP6 -> ip6ToText(value);
      case TCP, UDP -> Integer.toString(((value[0] & 0xFF) << 8) | (value[1] & 0xFF));
      case DNS, DNS4, DNS6, DNSADDR -> new String(value, StandardCharsets.UTF_8);
      case P2P -> PeerId.fromBytes(value).toBase58();
      default -> "";
    };
  }

  static byte[] fromText(Protocol protocol, String text) {
    return switch (protocol) {
      case IP4 -> ip4FromText(text);
      case IP6 -> ip6FromText(text);
      case TCP, UDP -> {
        int port = parseDecimal(text, 65535, "port");
        yield new byte[] {(byte) (port >>> 8), (byte) port};
      }
      case DNS, DNS4, DNS6, DNSADDR -> text.getBytes(StandardCharsets.UTF_8);
      case P2P -> PeerId.parse(text).bytes();
      default -> throw new IllegalStateException(protocol + " has no value");
    };
  }

  static int parseDecimal(String text, int max, String what) {
    if (text.isEmpty() || text.length() > 5 || (text.length() > 1 && text.charAt(0) == '0')) {
      throw new DecodeException("invalid " + what + " '" + text + "'");
    }
    int v = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new DecodeException("invalid " + what + " '" + text + "'");
      }
      v = v * 10 + (c - '0');
    }
    if (v > max) {
      throw new DecodeException(what + " out of range: " + text);
    }
    return v;
  }

  static byte[] ip4FromText(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw new DecodeException("invalid IPv4 address '" + text + "'");
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      out[i] = (byte) parseDecimal(parts[i], 255, "IPv4 address octet in '" + text + "'");
    }
    return out;
  }

  static byte[] ip6FromText(String text) {
    String s = text;
    byte[] tail = new byte[0];
    int lastColon = s.lastIndexOf(':');
    if (lastColon >= 0 && s.indexOf('.', lastColon) >= 0) {
      tail = ip4FromText(s.substring(lastColon + 1));
      s = s.substring(0, lastColon + 1) + "0:0"; // placeholder groups, overwritten below
    }
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      throw new DecodeException("invalid IPv6 address '" + text + "' (more than one '::')");
    }
    String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
    String rest = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
    int[] headGroups = groups(head, text);
    int[] restGroups = groups(rest, text);
    int total = headGroups.length + restGroups.length;
    if ((doubleColon < 0 && total != 8) || (doubleColon >= 0 && total > 7)) {
      throw new DecodeException("invalid IPv6 address '" + text + "'");
    }
    byte[] out = new byte[16];
    for (int i = 0; i < headGroups.length; i++) {
      out[2 * i] = (byte) (headGroups[i] >>> 8);
      out[2 * i + 1] = (byte) headGroups[i];
    }
    int start = 8 - restGroups.length;
    for (int i = 0; i < restGroups.length; i++) {
      out[2 * (start + i)] = (byte) (restGroups[i] >>> 8);
      out[2 * (start + i) + 1] = (byte) restGroups[i];
    }
    if (tail.length == 4) {
      System.arraycopy(tail, 0, out, 12, 4);
    }
    return out;
  }

  private static int[] groups(String part, String text) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] items = part.split(":", -1);
    int[] out = new int[items.length];
    for (int i = 0; i < items.length; i++) {
      String g = items[i];
      if (g.isEmpty() || g.length() > 4) {
        throw new DecodeException("invalid IPv6 address '" + text + "'");
      }
      int v = 0;
      for (int j = 0; j < g.length(); j++) {
        int d = Character.digit(g.charAt(j), 16);
        if (d < 0) {
          throw new DecodeException("invalid IPv6 address '" + text + "'");
        }
        v = v * 16 + d;
      }
      out[i] = v;
    }
    return out;
  }

  /** RFC 5952 text: lower-case hex, leading zeros dropped, longest run (>= 2) of zero groups as "::". */
  static String ip6ToText(byte[] a) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
