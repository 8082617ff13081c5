package io.disjoint.relay.protocol;

import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.crypto.PeerId;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/** Binds the relay protocol to a libp2p {@link Host}: the serving handler and the pooled client transport. */
public final class Libp2pRelay {
  private Libp2pRelay() {}

  /** Serves "/disjoint/relay/1.0.0" on the host; a protocol violation resets only that stream. */
  public static void serve(Host host, RelayService service) {
    serve(host, service, RelayProtocol.DEFAULT_MAX_IN_FLIGHT_PER_STREAM);
  }

  public static void serve(Host host, RelayService service, int maxInFlightPerStream) {
    host.setStreamHandler(RelayProtocol.PROTOCOL_ID, stream -> RelayStreamServer.install(
        stream.channel(), service, stream.remotePeer().toBase58(), ch -> stream.reset(), maxInFlightPerStream));
  }

  /** A transport that keeps pooled, pipelined relay streams to peers over the host's connections. */
  public static PooledRelayTransport transport(Host host, Clock clock, int maxStreamsPerPeer, int pipelineDepth) {
    return new PooledRelayTransport(peer -> {
      PeerId id;
      try {
        id = PeerId.parse(peer);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      return host.newStream(id, RelayProtocol.PROTOCOL_ID)
          .thenApply(s -> new PooledRelayTransport.OpenedStream(s.channel(), ch -> s.reset()));
    }, clock, maxStreamsPerPeer, pipelineDepth);
  }

  public static PooledRelayTransport transport(Host host, Clock clock) {
    return transport(host, clock, PooledRelayTransport.DEFAULT_MAX_STREAMS_PER_PEER, PooledRelayTransport.DEFAULT_PIPELINE_DEPTH);
  }
}
