package io.disjoint.relay.gateway;

/**
 * How a router pushes subscription notifications ({@code eth_subscription} messages) to the
 * WebSocket client that subscribed. The session id is the {@code RouteRequest.session()} the
 * gateway gave with the eth_subscribe call; one WebSocket connection is one session.
 *
 * <p>Thread-safe; callable from any thread. Writes are queued on the connection's event loop.
 */
public interface SubscriptionSink {
  /**
   * Writes one JSON text frame (a complete JSON-RPC notification, UTF-8) to the session.
   *
   * @return false when the session is gone (closed) or was closed now because its unsent output
   *     passed the gateway's limit (a client that does not read); the router should then drop
   *     the session's upstream subscriptions
   */
  boolean send(String session, byte[] json);

  /** Whether the session's WebSocket is still open. */
  boolean isOpen(String session);

  /**
   * Runs {@code listener} once when the session closes (so the router can unsubscribe upstream);
   * at once (on the calling thread) if it is already closed or unknown.
   */
  void onClose(String session, Runnable listener);
}
