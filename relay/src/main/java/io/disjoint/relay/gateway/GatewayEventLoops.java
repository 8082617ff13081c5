package io.disjoint.relay.gateway;

import io.disjoint.p2p.transport.IoTransport;
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
 * @param group the loops; all of the I/O transport {@code transport}
 * @param transport the loops' I/O transport; the gateway's listener is of its channel class
 * @param placement the loop for the next accepted connection; must belong to {@code group}
 */
public record GatewayEventLoops(EventLoopGroup group, IoTransport transport, Supplier<EventLoop> placement) {
  public GatewayEventLoops {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(placement, "placement");
    IoTransport actual = IoTransport.of(group);
    if (actual != transport) {
      throw new IllegalArgumentException("the gateway's event loops are " + actual + " loops, not " + transport);
    }
  }

  /** Loops of {@code group}, whose transport is read from the loops themselves. */
  public GatewayEventLoops(EventLoopGroup group, Supplier<EventLoop> placement) {
    this(group, IoTransport.of(group), placement);
  }

  /** Connections spread over every loop of the group in turn. */
  public static GatewayEventLoops roundRobin(EventLoopGroup group) {
    return new GatewayEventLoops(group, group::next);
  }
}
