package io.disjoint.relay.protocol;

import java.util.concurrent.CompletableFuture;

/**
 * Sends relay requests to peers. The router uses only this interface; {@link PooledRelayTransport}
 * implements it over reused libp2p streams.
 */
public interface RelayTransport {
  /**
   * Sends one request to a peer. Completes with the peer's response (any status), or fails with
   * {@link RelayTransportException} when no response could be had.
   *
   * @param peerId the peer id text of the serving node
   */
  CompletableFuture<RelayResponse> send(String peerId, RelayRequest request);
}
