package io.disjoint.relay.gateway;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The event loops a gateway runs its HTTP and WebSocket connections on, and which loop takes each
 * accepted connection. Sharing the libp2p host's loops and placing a connection on the loop that
 * carries the relay streams lets one thread parse a request, write it to the relay stream, read
 * the answer and write the HTTP response, with no hand-over between threads.
 *
 * @param group the loops; all of the I/O type {@code epoll} says
 * @param epoll true for native epoll loops, false for Java NIO
 * @param placement the loop for the next accepted connection; must belong to {@code group}
 */
public record GatewayEventLoops(EventLoopGroup group, boolean epoll, Supplier<EventLoop> placement) {
  public GatewayEventLoops {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(placement, "placement");
  }

  /** Connections spread over every loop of the group in turn. */
  public static GatewayEventLoops roundRobin(EventLoopGroup group, boolean epoll) {
    return new GatewayEventLoops(group, epoll, group::next);
  }
}
