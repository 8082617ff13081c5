package io.disjoint.p2p.multiaddr;

import io.disjoint.p2p.crypto.PeerId;
import java.util.Arrays;
import java.util.Objects;

/** One protocol and its binary value inside a multiaddr. Validated on construction. */
public final class Component {
  private final Protocol protocol;
  private final byte[] value;

  Component(Protocol protocol, byte[] value) {
    this.protocol = Objects.requireNonNull(protocol, "protocol");
    this.value = value.clone();
    AddressCodec.validate(protocol, this.value);
  }

  public Protocol protocol() {
    return protocol;
  }

  /** The binary value (empty for value-less protocols). */
  public byte[] value() {
    return value.clone();
  }

  byte[] valueUnsafe() {
    return value;
  }

  /** The value in multiaddr text form (without the protocol name). */
  public String valueText() {
    return AddressCodec.toText(protocol, value);
  }

  /** For a /p2p component, the peer id. */
  public PeerId peerId() {
    if (protocol != Protocol.P2P) {
      throw new IllegalStateException("not a /p2p component: " + protocol.textName());
    }
    return PeerId.fromBytes(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Component c && c.protocol == protocol && Arrays.equals(c.value, value);
  }

  @Override
  public int hashCode() {
    return protocol.hashCode() * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return protocol.hasValue() ? "/" + protocol.textName() + "/" + valueText() : "/" + protocol.textName();
  }
}
