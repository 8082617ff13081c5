package io.disjoint.relay.protocol;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A {@link RelayTransport} that keeps a few long-lived, pipelined relay streams per peer, so a
 * relay costs neither a connection handshake nor a stream negotiation. A request goes on the open
 * stream with the fewest requests in flight; another stream is opened (up to
 * {@code maxStreamsPerPeer}) only while every open one has {@code pipelineDepth} or more in
 * flight, which keeps one large response from delaying every other answer behind it.
 */
public final class PooledRelayTransport implements RelayTransport {
  /** Opens and negotiates a fresh "/disjoint/relay/1.0.0" stream to a peer. */
  @FunctionalInterface
  public interface StreamOpener {
    CompletableFuture<OpenedStream> open(String peerId);
  }

  /**
   * @param abort resets the stream (RST) when the serving side breaks the protocol
   */
  public record OpenedStream(Channel channel, Consumer<Channel> abort) {}

  public static final int DEFAULT_MAX_STREAMS_PER_PEER = 4;
  public static final int DEFAULT_PIPELINE_DEPTH = 32;

  private final StreamOpener opener;
  private final Clock clock;
  private final int maxStreamsPerPeer;
  private final int pipelineDepth;
  private final Map<String, PeerStreams> peers = new ConcurrentHashMap<>();

  public PooledRelayTransport(StreamOpener opener, Clock clock, int maxStreamsPerPeer, int pipelineDepth) {
    if (maxStreamsPerPeer < 1 || pipelineDepth < 1) {
      throw new IllegalArgumentException("maxStreamsPerPeer and pipelineDepth must be >= 1");
    }
    this.opener = opener;
    this.clock = clock;
    this.maxStreamsPerPeer = maxStreamsPerPeer;
    this.pipelineDepth = pipelineDepth;
  }

  public PooledRelayTransport(StreamOpener opener, Clock clock) {
    this(opener, clock, DEFAULT_MAX_STREAMS_PER_PEER, DEFAULT_PIPELINE_DEPTH);
  }

  @Override
  public CompletableFuture<RelayResponse> send(String peerId, RelayRequest request) {
    return peers.computeIfAbsent(peerId, PeerStreams::new).stream()
        .thenCompose(client -> client.send(request));
  }

  /** Open relay streams to a peer (for tests and metrics). */
  public int openStreams(String peerId) {
    PeerStreams p = peers.get(peerId);
    return p == null ? 0 : p.openCount();
  }

  /**
   * The event loops that carry open relay streams, each once. A gateway places its client
   * connections on these, so that a request and its relay share one thread.
   */
  public List<EventLoop> streamLoops() {
    Set<EventLoop> loops = new LinkedHashSet<>();
    for (PeerStreams p : peers.values()) {
      p.addLoops(loops);
    }
    return List.copyOf(loops);
  }

  /** Closes every pooled stream to a peer, e.g. when it disconnects. */
  public void forget(String peerId) {
    PeerStreams p = peers.remove(peerId);
    if (p != null) {
      p.closeAll();
    }
  }

  private final class PeerStreams {
    private final String peerId;
    private final List<RelayStreamClient> open = new ArrayList<>();
    private final List<CompletableFuture<RelayStreamClient>> opening = new ArrayList<>();

    PeerStreams(String peerId) {
      this.peerId = peerId;
    }

    synchronized int openCount() {
      open.removeIf(c -> !c.isOpen());
      return open.size();
    }

    synchronized CompletableFuture<RelayStreamClient> stream() {
      open.removeIf(c -> !c.isOpen());
      RelayStreamClient best = null;
      for (RelayStreamClient c : open) {
        if (best == null || c.inFlight() < best.inFlight()) {
          best = c;
        }
      }
      boolean canGrow = open.size() + opening.size() < maxStreamsPerPeer;
      if (best != null && (best.inFlight() < pipelineDepth || !canGrow)) {
        return CompletableFuture.completedFuture(best);
      }
      if (!canGrow) {
        // Every slot is still being opened: share the first one.
        return opening.get(0);
      }
      CompletableFuture<RelayStreamClient> f = opener.open(peerId)
          .handle((s, e) -> {
            if (e != null) {
              Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              throw new RelayTransportException(RelayTransportException.Kind.CONNECT,
                  "cannot open relay stream to " + peerId + ": " + cause.getMessage(), cause);
            }
            return new RelayStreamClient(s.channel(), clock, s.abort());
          });
      opening.add(f);
      f.whenComplete((c, e) -> opened(f, c));
      return f;
    }

    private synchronized void opened(CompletableFuture<RelayStreamClient> f, RelayStreamClient c) {
      opening.remove(f);
      if (c != null) {
        open.add(c);
      }
    }

    synchronized void addLoops(Set<EventLoop> loops) {
      for (RelayStreamClient c : open) {
        if (c.isOpen()) {
          loops.add(c.channel().eventLoop());
        }
      }
    }

    synchronized void closeAll() {
      for (RelayStreamClient c : open) {
        c.channel().close();
      }
      open.clear();
    }
  }
}
