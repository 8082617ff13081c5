package io.disjoint.p2p.host;

import io.disjoint.p2p.multiaddr.Multiaddr;
import io.disjoint.p2p.yamux.YamuxConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link Libp2pHost}. Defaults follow go-libp2p's resource manager or are stricter:
 * per peer 8 connections and 256 inbound streams, per IP 8 connections (loopback exempt), a
 * 16 MiB receive window per stream and 64 MiB of grown windows per connection.
 *
 * @param listenAddrs TCP multiaddrs to listen on ({@code /ip4/0.0.0.0/tcp/0} style); empty for a
 *     dial-only host
 * @param maxConnections connections of all peers together, handshaking ones included
 * @param maxConnectionsPerPeer authenticated connections to one peer id
 * @param maxConnectionsPerIp inbound connections from one remote IP, handshaking ones included
 * @param loopbackExemptFromIpLimit whether 127.0.0.0/8 and ::1 skip the per-IP limit
 * @param maxInboundStreamsPerPeer streams a peer may have open towards us, over all its
 *     connections (each connection's Yamux session enforces it too)
 * @param maxOutboundStreamsPerConnection streams we may open on one connection
 * @param streamMemoryBudget largest receive window of one stream, in bytes
 * @param connectionMemoryBudget receive window beyond the initial 256 KiB per stream that the
 *     streams of one connection may be granted together, in bytes
 * @param handshakeTimeout bound on TCP connect plus multistream, Noise and muxer selection
 * @param streamNegotiationTimeout bound on multistream-select on each stream
 * @param idleTimeout a connection with no traffic at all for this long is closed (the Yamux
 *     keep-alive keeps live ones busy); zero disables
 * @param keepAliveInterval Yamux ping period; an unanswered ping closes the connection; zero
 *     disables
 * @param agentVersion sent in Identify
 * @param ioThreads event loop threads; 0 picks Netty's default (2 x cores)
 */
public record HostConfig(
    List<Multiaddr> listenAddrs,
    int maxConnections,
    int maxConnectionsPerPeer,
    int maxConnectionsPerIp,
    boolean loopbackExemptFromIpLimit,
    int maxInboundStreamsPerPeer,
    int maxOutboundStreamsPerConnection,
    int streamMemoryBudget,
    long connectionMemoryBudget,
    Duration handshakeTimeout,
    Duration streamNegotiationTimeout,
    Duration idleTimeout,
    Duration keepAliveInterval,
    String agentVersion,
    int ioThreads) {

  public static final int DEFAULT_MAX_CONNECTIONS = 512;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = 8;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 8;
  public static final int DEFAULT_MAX_INBOUND_STREAMS_PER_PEER = YamuxConfig.DEFAULT_MAX_INBOUND_STREAMS;
  public static final int DEFAULT_MAX_OUTBOUND_STREAMS_PER_CONNECTION = YamuxConfig.DEFAULT_MAX_OUTBOUND_STREAMS;
  public static final int DEFAULT_STREAM_MEMORY_BUDGET = YamuxConfig.DEFAULT_MAX_STREAM_WINDOW;
  public static final long DEFAULT_CONNECTION_MEMORY_BUDGET = YamuxConfig.DEFAULT_CONNECTION_WINDOW_BUDGET;
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_STREAM_NEGOTIATION_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
  public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = YamuxConfig.DEFAULT_KEEP_ALIVE_INTERVAL;
  public static final String DEFAULT_AGENT_VERSION = "disjoint/" + version();

  public HostConfig {
    listenAddrs = List.copyOf(listenAddrs);
    for (Multiaddr addr : listenAddrs) {
      if (!addr.isTcp()) {
        throw new IllegalArgumentException("listen: only TCP addresses are supported, got " + addr);
      }
    }
    positive(maxConnections, "maxConnections");
    positive(maxConnectionsPerPeer, "maxConnectionsPerPeer");
    positive(maxConnectionsPerIp, "maxConnectionsPerIp");
    positive(maxInboundStreamsPerPeer, "maxInboundStreamsPerPeer");
    positive(maxOutboundStreamsPerConnection, "maxOutboundStreamsPerConnection");
    if (streamMemoryBudget < YamuxConfig.INITIAL_WINDOW) {
      throw new IllegalArgumentException("streamMemoryBudget must be at least " + YamuxConfig.INITIAL_WINDOW);
    }
    if (connectionMemoryBudget < 0) {
      throw new IllegalArgumentException("connectionMemoryBudget must not be negative");
    }
    nonNegative(handshakeTimeout, "handshakeTimeout", false);
    nonNegative(streamNegotiationTimeout, "streamNegotiationTimeout", false);
    nonNegative(idleTimeout, "idleTimeout", true);
    nonNegative(keepAliveInterval, "keepAliveInterval", true);
    Objects.requireNonNull(agentVersion, "agentVersion");
    if (ioThreads < 0) {
      throw new IllegalArgumentException("ioThreads must not be negative");
    }
  }

  private static void positive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  private static void nonNegative(Duration d, String name, boolean zeroAllowed) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "zero or more" : "positive"));
    }
  }

  /** The Yamux settings these limits imply. */
  public YamuxConfig yamuxConfig() {
    return YamuxConfig.defaults()
        .withMaxInboundStreams(maxInboundStreamsPerPeer)
        .withMaxOutboundStreams(maxOutboundStreamsPerConnection)
        .withMaxStreamWindow(streamMemoryBudget)
        .withConnectionWindowBudget(connectionMemoryBudget)
        .withKeepAliveInterval(keepAliveInterval);
  }

  public static HostConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.listenAddrs = listenAddrs;
    b.maxConnections = maxConnections;
    b.maxConnectionsPerPeer = maxConnectionsPerPeer;
    b.maxConnectionsPerIp = maxConnectionsPerIp;
    b.loopbackExemptFromIpLimit = loopbackExemptFromIpLimit;
    b.maxInboundStreamsPerPeer = maxInboundStreamsPerPeer;
    b.maxOutboundStreamsPerConnection = maxOutboundStreamsPerConnection;
    b.streamMemoryBudget = streamMemoryBudget;
    b.connectionMemoryBudget = connectionMemoryBudget;
    b.handshakeTimeout = handshakeTimeout;
    b.streamNegotiationTimeout = streamNegotiationTimeout;
    b.idleTimeout = idleTimeout;
    b.keepAliveInterval = keepAliveInterval;
    b.agentVersion = agentVersion;
    b.ioThreads = ioThreads;
    return b;
  }

  static String version() {
    String v = HostConfig.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0";
  }

  /** Builder with the named defaults above. */
  public static final class Builder {
    private List<Multiaddr> listenAddrs = List.of();
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerPeer = DEFAULT_MAX_CONNECTIONS_PER_PEER;
    private int maxConnectionsPerIp = DEFAULT_MAX_CONNECTIONS_PER_IP;
    private boolean loopbackExemptFromIpLimit = true;
    private int maxInboundStreamsPerPeer = DEFAULT_MAX_INBOUND_STREAMS_PER_PEER;
    private int maxOutboundStreamsPerConnection = DEFAULT_MAX_OUTBOUND_STREAMS_PER_CONNECTION;
    private int streamMemoryBudget = DEFAULT_STREAM_MEMORY_BUDGET;
    private long connectionMemoryBudget = DEFAULT_CONNECTION_MEMORY_BUDGET;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration streamNegotiationTimeout = DEFAULT_STREAM_NEGOTIATION_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration keepAliveInterval = DEFAULT_KEEP_ALIVE_INTERVAL;
    private String agentVersion = DEFAULT_AGENT_VERSION;
    private int ioThreads = 0;

    public Builder listenAddrs(List<Multiaddr> value) {
      listenAddrs = value;
      return this;
    }

    /** Adds one listen address, e.g. {@code /ip4/127.0.0.1/tcp/0}. */
    public Builder listen(String multiaddr) {
      listenAddrs = new java.util.ArrayList<>(listenAddrs);
      listenAddrs.add(Multiaddr.parse(multiaddr));
      return this;
    }

    public Builder maxConnections(int value) {
      maxConnections = value;
      return this;
    }

    public Builder maxConnectionsPerPeer(int value) {
      maxConnectionsPerPeer = value;
      return this;
    }

    public Builder maxConnectionsPerIp(int value) {
      maxConnectionsPerIp = value;
      return this;
    }

    public Builder loopbackExemptFromIpLimit(boolean value) {
      loopbackExemptFromIpLimit = value;
      return this;
    }

    public Builder maxInboundStreamsPerPeer(int value) {
      maxInboundStreamsPerPeer = value;
      return this;
    }

    public Builder maxOutboundStreamsPerConnection(int value) {
      maxOutboundStreamsPerConnection = value;
      return this;
    }

    public Builder streamMemoryBudget(int value) {
      streamMemoryBudget = value;
      return this;
    }

    public Builder connectionMemoryBudget(long value) {
      connectionMemoryBudget = value;
      return this;
    }

    public Builder handshakeTimeout(Duration value) {
      handshakeTimeout = value;
      return this;
    }

    public Builder streamNegotiationTimeout(Duration value) {
      streamNegotiationTimeout = value;
      return this;
    }

    public Builder idleTimeout(Duration value) {
      idleTimeout = value;
      return this;
    }

    public Builder keepAliveInterval(Duration value) {
      keepAliveInterval = value;
      return this;
    }

    public Builder agentVersion(String value) {
      agentVersion = value;
      return this;
    }

    public Builder ioThreads(int value) {
      ioThreads = value;
      return this;
    }

    public HostConfig build() {
      return new HostConfig(listenAddrs, maxConnections, maxConnectionsPerPeer, maxConnectionsPerIp,
          loopbackExemptFromIpLimit, maxInboundStreamsPerPeer, maxOutboundStreamsPerConnection,
          streamMemoryBudget, connectionMemoryBudget, handshakeTimeout, streamNegotiationTimeout,
          idleTimeout, keepAliveInterval, agentVersion, ioThreads);
    }
  }
}
