package io.disjoint.p2p.multiaddr;

import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.wire.DecodeException;
import io.disjoint.p2p.wire.Uvarint;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An immutable multiaddr (addressing/README.md): a sequence of protocol components with a binary
 * form (varint code + value) and a text form ({@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...}).
 * Unknown protocol codes and names are rejected.
 */
public final class Multiaddr {
  /** Binary multiaddrs longer than this are refused before parsing. */
  public static final int MAX_BYTES = 1024;
  /** Text multiaddrs longer than this are refused before parsing. */
  public static final int MAX_TEXT_LENGTH = 4096;

  private final List<Component> components;
  private final byte[] bytes;

  private Multiaddr(List<Component> components) {
    if (components.isEmpty()) {
      throw new DecodeException("empty multiaddr");
    }
    this.components = List.copyOf(components);
    this.bytes = encode(this.components);
  }

  public static Multiaddr of(List<Component> components) {
    return new Multiaddr(components);
  }

  public static Component component(Protocol protocol, byte[] value) {
    return new Component(protocol, value);
  }

  public static Multiaddr parse(String text) {
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new DecodeException("multiaddr text longer than " + MAX_TEXT_LENGTH + " characters");
    }
    if (text.isEmpty() || text.charAt(0) != '/') {
      throw new DecodeException("multiaddr must start with '/': '" + text + "'");
    }
    String[] parts = text.split("/", -1);
    List<Component> out = new ArrayList<>();
    int i = 1;
    // a single trailing slash is tolerated, as other implementations do
    int end = parts[parts.length - 1].isEmpty() ? parts.length - 1 : parts.length;
    while (i < end) {
      String name = parts[i++];
      Protocol p = Protocol.byName(name)
          .orElseThrow(() -> new DecodeException("unknown multiaddr protocol '" + name + "' in '" + text + "'"));
      if (!p.hasValue()) {
        out.add(new Component(p, new byte[0]));
        continue;
      }
      if (i >= end) {
        throw new DecodeException("multiaddr '" + text + "' ends before the value of /" + name);
      }
      out.add(new Component(p, AddressCodec.fromText(p, parts[i++])));
    }
    return new Multiaddr(out);
  }

  public static Multiaddr fromBytes(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      throw new DecodeException("multiaddr longer than " + MAX_BYTES + " bytes: " + bytes.length);
    }
    List<Component> out = new ArrayList<>();
    int pos = 0;
    while (pos < bytes.length) {
      long code = Uvarint.readComplete(bytes, pos, bytes.length);
      pos += Uvarint.encodedLength(code);
      Protocol p = Protocol.byCode(code)
          .orElseThrow(() -> new DecodeException("unknown multiaddr protocol code " + code + " (0x" + Long.toHexString(code) + ")"));
      int size = p.size();
      if (size == Protocol.VARIABLE) {
        long len = Uvarint.readComplete(bytes, pos, bytes.length);
        pos += Uvarint.encodedLength(len);
        if (len > bytes.length - pos) {
          throw new DecodeException("/" + p.textName() + " value of " + len + " bytes runs past the end");
        }
        size = (int) len;
      } else if (size > bytes.length - pos) {
        throw new DecodeException("/" + p.textName() + " value runs past the end");
      }
      out.add(new Component(p, Arrays.copyOfRange(bytes, pos, pos + size)));
      pos += size;
    }
    return new Multiaddr(out);
  }

  /** /ip4 or /ip6 (or, for unresolved addresses, /dns) plus /tcp. Never resolves names. */
  public static Multiaddr fromTcp(InetSocketAddress address) {
    byte[] port = {(byte) (address.getPort() >>> 8), (byte) address.getPort()};
    InetAddress ip = address.getAddress();
    Component host;
    if (ip instanceof Inet4Address) {
      host = new Component(Protocol.IP4, ip.getAddress());
    } else if (ip instanceof Inet6Address) {
      host = new Component(Protocol.IP6, ip.getAddress());
    } else {
      host = new Component(Protocol.DNS, address.getHostString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return new Multiaddr(List.of(host, new Component(Protocol.TCP, port)));
  }

  public List<Component> components() {
    return components;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  /** The peer id of the last component if it is /p2p. */
  public Optional<PeerId> peerId() {
    Component last = components.get(components.size() - 1);
    return last.protocol() == Protocol.P2P ? Optional.of(last.peerId()) : Optional.empty();
  }

  /** This address without a trailing /p2p component. */
  public Multiaddr withoutPeerId() {
    Component last = components.get(components.size() - 1);
    if (last.protocol() != Protocol.P2P) {
      return this;
    }
    return new Multiaddr(components.subList(0, components.size() - 1));
  }

  /** This address ending in /p2p/{@code peer}, replacing any trailing /p2p component. */
  public Multiaddr withPeerId(PeerId peer) {
    List<Component> out = new ArrayList<>(withoutPeerId().components);
    out.add(new Component(Protocol.P2P, peer.bytes()));
    return new Multiaddr(out);
  }

  public Multiaddr encapsulate(Multiaddr inner) {
    List<Component> out = new ArrayList<>(components);
    out.addAll(inner.components);
    return new Multiaddr(out);
  }

  /** True if the address starts with an IP or DNS host followed by /tcp. */
  public boolean isTcp() {
    if (components.size() < 2 || components.get(1).protocol() != Protocol.TCP) {
      return false;
    }
    return switch (components.get(0).protocol()) {
      case IP4, IP6, DNS, DNS4, DNS6 -> true;
      default -> false;
    };
  }

  /**
   * The TCP socket address this multiaddr names: {@code /ip4|ip6/.../tcp/N} resolved,
   * {@code /dns|dns4|dns6/name/tcp/N} unresolved (the caller resolves off the event loop). Only a
   * trailing /p2p may follow.
   *
   * @throws P2pException if this is not such an address
   */
  public InetSocketAddress toTcpSocketAddress() {
    boolean onlyPeerAfter = components.size() == 2
        || (components.size() == 3 && components.get(2).protocol() == Protocol.P2P);
    if (!isTcp() || !onlyPeerAfter) {
      throw new P2pException(P2pException.Fault.OPERATOR, "not a TCP address (/ip4|ip6|dns*/.../tcp/PORT[/p2p/ID]): " + this);
    }
    Component host = components.get(0);
    byte[] portBytes = components.get(1).valueUnsafe();
    int port = ((portBytes[0] & 0xFF) << 8) | (portBytes[1] & 0xFF);
    return switch (host.protocol()) {
      case IP4, IP6 -> {
        try {
          yield new InetSocketAddress(InetAddress.getByAddress(host.valueUnsafe()), port);
        } catch (UnknownHostException e) {
          throw new IllegalStateException("validated IP address rejected by the JDK", e);
        }
      }
      default -> InetSocketAddress.createUnresolved(host.valueText(), port);
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multiaddr m && Arrays.equals(m.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Component c : components) {
      sb.append(c);
    }
    return sb.toString();
  }

  private static byte[] encode(List<Component> components) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32);
    for (Component c : components) {
      out.writeBytes(Uvarint.encode(c.protocol().code()));
      if (c.protocol().size() == Protocol.VARIABLE) {
        out.writeBytes(Uvarint.encode(c.valueUnsafe().length));
      }
      out.writeBytes(c.valueUnsafe());
    }
    return out.toByteArray();
  }
}
