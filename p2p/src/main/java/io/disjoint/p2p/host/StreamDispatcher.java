package io.disjoint.p2p.host;

import io.disjoint.p2p.P2pException.Fault;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.api.StreamHandler;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.multistream.MultistreamException;
import io.disjoint.p2p.multistream.MultistreamNegotiator;
import io.disjoint.p2p.yamux.YamuxStreamChannel;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protocol handlers by id, and multistream-select on every stream: inbound streams are matched to
 * a registered handler, outbound ones negotiated for the caller. A stream whose negotiation does
 * not finish within the timeout is reset.
 */
final class StreamDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(StreamDispatcher.class);
  private final Map<String, StreamHandler> handlers = new ConcurrentHashMap<>();
  private final Map<PeerId, AtomicInteger> inboundPerPeer = new ConcurrentHashMap<>();
  private final Duration negotiationTimeout;
  private final int maxInboundStreamsPerPeer;

  StreamDispatcher(Duration negotiationTimeout, int maxInboundStreamsPerPeer) {
    this.negotiationTimeout = negotiationTimeout;
    this.maxInboundStreamsPerPeer = maxInboundStreamsPerPeer;
  }

  void register(String protocolId, StreamHandler handler) {
    if (protocolId.isEmpty() || protocolId.length() >= 1000) {
      throw new IllegalArgumentException("protocol id must be 1..999 characters: " + protocolId);
    }
    handlers.put(protocolId, handler);
  }

  boolean unregister(String protocolId) {
    return handlers.remove(protocolId) != null;
  }

  Set<String> protocols() {
    return Set.copyOf(handlers.keySet());
  }

  /** Called by the Yamux session for each accepted inbound stream, before it is registered. */
  void inbound(HostConnection connection, YamuxStreamChannel channel) {
    if (!admitInbound(connection.remotePeer(), channel)) {
      return;
    }
    ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
    MultistreamNegotiator negotiator = MultistreamNegotiator.listener(handlers::containsKey,
        new MultistreamNegotiator.Callback() {
          @Override
          public void agreed(Channel ch, String protocol) {
            cancel(timer[0]);
            StreamHandler handler = handlers.get(protocol);
            if (handler == null) {
              channel.reset();
              return;
            }
            HostStream stream = new HostStream(channel, protocol, connection);
            try {
              handler.initStream(stream);
            } catch (RuntimeException e) {
              LOG.error("bug: handler for {} failed to initialise {}", protocol, stream, e);
              channel.reset();
            }
          }

          @Override
          public void failed(Channel ch, MultistreamException cause) {
            cancel(timer[0]);
          }
        });
    channel.pipeline().addLast("multistream", negotiator);
    timer[0] = scheduleTimeout(channel, connection, "inbound stream");
  }

  /**
   * Counts the peer's open inbound streams over all its connections (each Yamux session also caps
   * its own); a stream over the limit is reset before negotiation.
   */
  private boolean admitInbound(PeerId peer, YamuxStreamChannel channel) {
    AtomicInteger count = inboundPerPeer.computeIfAbsent(peer, p -> new AtomicInteger());
    if (count.incrementAndGet() > maxInboundStreamsPerPeer) {
      release(peer, count);
      LOG.debug("resetting inbound stream from {}: resource limit: {} inbound streams per peer",
          peer, maxInboundStreamsPerPeer);
      channel.pipeline().addLast(new ResetOnActive());
      return false;
    }
    channel.closeFuture().addListener(f -> release(peer, count));
    return true;
  }

  private void release(PeerId peer, AtomicInteger count) {
    if (count.decrementAndGet() <= 0) {
      inboundPerPeer.computeIfPresent(peer, (p, c) -> c.get() <= 0 ? null : c);
    }
  }

  /** Resets a refused stream as soon as it is registered. */
  private static final class ResetOnActive extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
      ((YamuxStreamChannel) ctx.channel()).reset();
    }
  }

  /** Opens a stream on the connection and negotiates {@code protocolId} on it. */
  CompletableFuture<Stream> open(HostConnection connection, String protocolId) {
    CompletableFuture<Stream> result = new CompletableFuture<>();
    ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
    MultistreamNegotiator negotiator = MultistreamNegotiator.dialer(List.of(protocolId),
        new MultistreamNegotiator.Callback() {
          @Override
          public void agreed(Channel ch, String protocol) {
            cancel(timer[0]);
            result.complete(new HostStream((YamuxStreamChannel) ch, protocol, connection));
          }

          @Override
          public void failed(Channel ch, MultistreamException cause) {
            cancel(timer[0]);
            result.completeExceptionally(new HostException(cause.fault(),
                connection.remotePeer() + " did not accept " + protocolId + ": " + cause.getMessage(), cause));
          }
        });
    connection.session().openStream(negotiator).whenComplete((channel, error) -> {
      if (error != null) {
        result.completeExceptionally(new HostException(Fault.NONE,
            "cannot open a stream to " + connection.remotePeer() + ": " + error.getMessage(), error));
      } else if (!result.isDone()) {
        timer[0] = scheduleTimeout(channel, connection, protocolId);
      }
    });
    return result;
  }

  private ScheduledFuture<?> scheduleTimeout(YamuxStreamChannel channel, HostConnection connection, String what) {
    return connection.channel().eventLoop().schedule(() -> {
      if (channel.pipeline().get(MultistreamNegotiator.class) != null && channel.isOpen()) {
        LOG.debug("resetting {} with {}: protocol negotiation not finished within {}",
            what, connection.remotePeer(), negotiationTimeout);
        channel.reset();
      }
    }, negotiationTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
