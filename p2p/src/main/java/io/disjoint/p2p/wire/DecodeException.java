package io.disjoint.p2p.wire;

import io.disjoint.p2p.P2pException;

/**
 * Bytes or text that do not follow an encoding (varint, multihash, multiaddr, key protobuf). The
 * input usually comes from a peer, so the fault defaults to {@link Fault#PEER}; code that decodes
 * operator input (config, flags) rewraps the message with the config key it came from.
 */
public class DecodeException extends P2pException {
  private static final long serialVersionUID = 1L;

  public DecodeException(String message) {
    super(Fault.PEER, message);
  }

  public DecodeException(String message, Throwable cause) {
    super(Fault.PEER, message, cause);
  }
}
