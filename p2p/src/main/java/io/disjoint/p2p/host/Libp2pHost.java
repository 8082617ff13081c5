package io.disjoint.p2p.host;

import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.P2pException.Fault;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.api.HostListener;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.api.StreamHandler;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.identify.IdentifyService;
import io.disjoint.p2p.multiaddr.Multiaddr;
import io.disjoint.p2p.ping.PingService;
import io.disjoint.p2p.record.PeerRecord;
import io.disjoint.p2p.transport.ConnectionUpgrader;
import io.disjoint.p2p.transport.ConnectionUpgrader.SecuredPeer;
import io.disjoint.p2p.transport.IoTransport;
import io.disjoint.p2p.transport.TcpTransport;
import io.disjoint.p2p.yamux.YamuxSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libp2p host: TCP, multistream-select, Noise, Yamux, Identify and Ping, with the connection
 * and stream limits of {@link HostConfig}.
 *
 * <pre>{@code
 * Libp2pHost host = new Libp2pHost(KeyFiles.loadOrCreate(dir.resolve("node.key"), KeyType.ED25519),
 *     HostConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
 * host.setStreamHandler("/my/1.0.0", stream -> stream.channel().pipeline().addLast(myHandler));
 * host.start().join();
 * }</pre>
 */
public final class Libp2pHost implements Host {
  private static final Logger LOG = LoggerFactory.getLogger(Libp2pHost.class);

  private enum State {
    NEW,
    STARTED,
    STOPPED
  }

  private final PrivKey privKey;
  private final PeerId peerId;
  private final HostConfig config;
  private final InMemoryPeerStore peerStore = new InMemoryPeerStore();
  private final ConnectionLimiter limiter;
  private final StreamDispatcher dispatcher;
  private final ConnectionUpgrader upgrader;
  private final Set<HostConnection> connections = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<PeerId, CompletableFuture<Connection>> pendingDials = new ConcurrentHashMap<>();
  private final List<HostListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Channel> serverChannels = new CopyOnWriteArrayList<>();
  private final List<Multiaddr> boundAddrs = new CopyOnWriteArrayList<>();
  private final IdentifyService identify;
  private final PingService ping;
  private final IoTransport io;
  private volatile State state = State.NEW;
  private volatile TcpTransport transport;

  public Libp2pHost(PrivKey privKey, HostConfig config) {
    this(privKey, config, new SecureRandom());
  }

  /**
   * On the process's configured I/O transport ({@link IoTransport#configured()}).
   *
   * @param random source of ping payloads
   */
  public Libp2pHost(PrivKey privKey, HostConfig config, java.util.Random random) {
    this(privKey, config, random, IoTransport.configured());
  }

  /**
   * @param random source of ping payloads
   * @param io the Netty I/O transport of the host's event loops and sockets
   */
  public Libp2pHost(PrivKey privKey, HostConfig config, java.util.Random random, IoTransport io) {
    this.io = java.util.Objects.requireNonNull(io, "io");
    this.privKey = privKey;
    this.peerId = privKey.peerId();
    this.config = config;
    this.limiter = new ConnectionLimiter(config);
    this.dispatcher = new StreamDispatcher(config.streamNegotiationTimeout(), config.maxInboundStreamsPerPeer());
    this.upgrader = new ConnectionUpgrader(privKey, config.yamuxConfig(), config.handshakeTimeout(),
        config.idleTimeout());
    this.identify = new IdentifyService(new IdentifyView(), config.agentVersion(), info -> {
      peerStore.putInfo(info);
      fire(l -> l.onIdentified(info.peerId(), info));
    });
    this.ping = new PingService(this, random);
    dispatcher.register(IdentifyService.ID, identify::respond);
    dispatcher.register(IdentifyService.PUSH_ID, identify::receivePush);
    dispatcher.register(PingService.ID, ping::respond);
  }

  public HostConfig config() {
    return config;
  }

  /** The Ping protocol controller. */
  public PingService ping() {
    return ping;
  }

  public IdentifyService identify() {
    return identify;
  }

  /** Connections refused by a resource limit since start. */
  public long refusedConnections() {
    return limiter.refusedCount();
  }

  /**
   * The event loops that run this host's connections, for components that want to run their own
   * channels on the same threads (a gateway's HTTP server, say) and so avoid a thread hop per
   * message. Only valid between {@link #start()} and {@link #stop()}; the host owns and shuts
   * them down.
   */
  public io.netty.channel.EventLoopGroup ioGroup() {
    TcpTransport t = transport;
    if (t == null) {
      throw new IllegalStateException("host not started: ioGroup() is available after start()");
    }
    return t.workerGroup();
  }

  /** True if {@link #ioGroup()} runs on native epoll; see {@link #ioTransport()} for the others. */
  public boolean ioGroupUsesEpoll() {
    TcpTransport t = transport;
    return t != null && t.usesNativeEpoll();
  }

  /**
   * The I/O transport of {@link #ioGroup()}: channels registered on those loops must be of its
   * classes. Only valid between {@link #start()} and {@link #stop()}.
   */
  public IoTransport ioTransport() {
    TcpTransport t = transport;
    if (t == null) {
      throw new IllegalStateException("host not started: ioTransport() is available after start()");
    }
    return t.io();
  }

  @Override
  public PeerId peerId() {
    return peerId;
  }

  @Override
  public PrivKey privKey() {
    return privKey;
  }

  /** Protocol ids with a registered handler (what Identify advertises). */
  public Set<String> protocols() {
    return dispatcher.protocols();
  }

  @Override
  public synchronized CompletableFuture<Void> start() {
    if (state != State.NEW) {
      return CompletableFuture.failedFuture(new HostException(Fault.LOCAL, "host already " + state));
    }
    state = State.STARTED;
    transport = new TcpTransport(io, config.ioThreads(), "p2p");
    List<CompletableFuture<Channel>> binds = new ArrayList<>();
    for (Multiaddr addr : config.listenAddrs()) {
      binds.add(transport.listen(addr.toTcpSocketAddress(), initializer(true, Optional.empty(), null)));
    }
    return CompletableFuture.allOf(binds.toArray(CompletableFuture[]::new)).thenRun(() -> {
      for (int i = 0; i < binds.size(); i++) {
        Channel server = binds.get(i).join();
        serverChannels.add(server);
        InetSocketAddress requested = config.listenAddrs().get(i).toTcpSocketAddress();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        boundAddrs.addAll(dialableAddrs(new InetSocketAddress(requested.getAddress(), port)));
      }
      LOG.info("host {} listening on {} ({})", peerId, boundAddrs, transport.io());
    }).exceptionally(e -> {
      stop();
      throw new HostException(Fault.OPERATOR, "cannot listen on " + config.listenAddrs() + ": "
          + unwrap(e).getMessage(), unwrap(e));
    });
  }

  /**
   * The addresses peers can dial for a bound socket: itself, or for a wildcard bind (0.0.0.0, ::)
   * the addresses of the interfaces that are up (IPv4 for 0.0.0.0, IPv6 without link-local for
   * ::), as of start.
   */
  static List<Multiaddr> dialableAddrs(InetSocketAddress bound) {
    if (!bound.getAddress().isAnyLocalAddress()) {
      return List.of(Multiaddr.fromTcp(bound));
    }
    boolean v4 = bound.getAddress() instanceof java.net.Inet4Address;
    List<Multiaddr> out = new ArrayList<>();
    try {
      for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp()) {
          continue;
        }
        for (java.net.InetAddress ip : java.util.Collections.list(nic.getInetAddresses())) {
          boolean sameFamily = v4 ? ip instanceof java.net.Inet4Address : ip instanceof java.net.Inet6Address;
          if (sameFamily && !ip.isLinkLocalAddress()) {
            out.add(Multiaddr.fromTcp(new InetSocketAddress(ip, bound.getPort())));
          }
        }
      }
    } catch (java.net.SocketException e) {
      LOG.warn("cannot list network interfaces; advertising {} as bound", bound, e);
    }
    return out.isEmpty() ? List.of(Multiaddr.fromTcp(bound)) : out;
  }

  @Override
  public synchronized CompletableFuture<Void> stop() {
    if (state == State.STOPPED) {
      return CompletableFuture.completedFuture(null);
    }
    boolean wasStarted = state == State.STARTED;
    state = State.STOPPED;
    if (!wasStarted) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (Channel server : serverChannels) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      server.close().addListener(x -> f.complete(null));
      closing.add(f);
    }
    for (HostConnection c : connections) {
      closing.add(c.close());
    }
    TcpTransport t = transport;
    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, 2, java.util.concurrent.TimeUnit.SECONDS)
        .thenCompose(v -> t.shutdown());
  }

  @Override
  public List<Multiaddr> listenAddrs() {
    return List.copyOf(boundAddrs);
  }

  @Override
  public CompletableFuture<Connection> dial(Multiaddr addr) {
    if (state != State.STARTED) {
      return CompletableFuture.failedFuture(new HostException(Fault.LOCAL, "host is not started"));
    }
    if (!addr.isTcp()) {
      return CompletableFuture.failedFuture(new HostException(Fault.OPERATOR, "cannot dial " + addr + ": only TCP"));
    }
    Optional<PeerId> expected = addr.peerId();
    if (expected.isPresent() && expected.get().equals(peerId)) {
      return CompletableFuture.failedFuture(new HostException(Fault.OPERATOR, "refusing to dial ourselves"));
    }
    CompletableFuture<Connection> result = new CompletableFuture<>();
    transport.dial(addr.toTcpSocketAddress(), config.handshakeTimeout(),
            initializer(false, expected, result))
        .whenComplete((ch, e) -> {
          if (e != null) {
            result.completeExceptionally(new HostException(Fault.NONE,
                "cannot connect to " + addr + ": " + unwrap(e).getMessage(), unwrap(e)));
          }
        });
    return result;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Concurrent calls for a peer without a connection share one dial, so that a burst of
   * {@code newStream} calls does not open a connection each.
   */
  @Override
  public CompletableFuture<Connection> connect(PeerId peer) {
    for (HostConnection c : connections) {
      if (c.remotePeer().equals(peer) && c.isOpen()) {
        return CompletableFuture.completedFuture(c);
      }
    }
    CompletableFuture<Connection> started = new CompletableFuture<>();
    CompletableFuture<Connection> existing = pendingDials.putIfAbsent(peer, started);
    if (existing != null) {
      return existing;
    }
    dialKnownAddrs(peer).whenComplete((c, e) -> {
      pendingDials.remove(peer, started);
      if (e != null) {
        started.completeExceptionally(unwrap(e));
      } else {
        started.complete(c);
      }
    });
    return started;
  }

  private CompletableFuture<Connection> dialKnownAddrs(PeerId peer) {
    List<Multiaddr> addrs = peerStore.addrs(peer);
    if (addrs.isEmpty()) {
      return CompletableFuture.failedFuture(new HostException(Fault.NONE, "no known address for " + peer));
    }
    CompletableFuture<Connection> attempt = dial(addrs.get(0).withPeerId(peer));
    for (Multiaddr next : addrs.subList(1, addrs.size())) {
      attempt = attempt.exceptionallyCompose(e -> dial(next.withPeerId(peer)));
    }
    return attempt;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The future completes on the stream's event loop right after the remote echoed the
   * protocol; add the protocol's handlers in a callback attached before that (the usual
   * {@code newStream(...).thenAccept(...)}) so that they are in place before the first bytes
   * arrive. Bytes that arrive while the pipeline is empty are dropped by Netty's tail handler.
   */
  @Override
  public CompletableFuture<Stream> newStream(PeerId peer, String protocolId) {
    return connect(peer).thenCompose(c -> c.newStream(protocolId));
  }

  @Override
  public void setStreamHandler(String protocolId, StreamHandler handler) {
    dispatcher.register(protocolId, handler);
    if (state == State.STARTED) {
      identify.pushToAll();
    }
  }

  @Override
  public void removeStreamHandler(String protocolId) {
    if (dispatcher.unregister(protocolId) && state == State.STARTED) {
      identify.pushToAll();
    }
  }

  @Override
  public InMemoryPeerStore peerStore() {
    return peerStore;
  }

  @Override
  public Collection<Connection> connections() {
    List<Connection> open = new ArrayList<>();
    for (HostConnection c : connections) {
      if (c.isOpen()) {
        open.add(c);
      }
    }
    return open;
  }

  @Override
  public void addListener(HostListener listener) {
    listeners.add(listener);
  }

  // ---- connection setup ----

  private ChannelInitializer<Channel> initializer(
      boolean inbound, Optional<PeerId> expected, CompletableFuture<Connection> dialResult) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        String refusal = limiter.admitTransport(ch, inbound);
        if (refusal != null) {
          LOG.debug("refusing {} connection {}: {}", inbound ? "inbound" : "outbound", ch.remoteAddress(), refusal);
          ch.close();
          if (dialResult != null) {
            dialResult.completeExceptionally(new HostException(Fault.LOCAL, refusal));
          }
          return;
        }
        upgrader.install(ch, !inbound, expected, new UpgradeListener(!inbound, dialResult));
      }
    };
  }

  private final class UpgradeListener implements ConnectionUpgrader.Listener {
    private final boolean initiator;
    private final CompletableFuture<Connection> dialResult;
    private HostConnection connection;

    UpgradeListener(boolean initiator, CompletableFuture<Connection> dialResult) {
      this.initiator = initiator;
      this.dialResult = dialResult;
    }

    @Override
    public YamuxSession newSession(Channel channel, SecuredPeer peer) {
      connection = new HostConnection(channel, peer, initiator, dispatcher);
      HostConnection c = connection;
      YamuxSession session = new YamuxSession(config.yamuxConfig(), initiator, s -> dispatcher.inbound(c, s));
      connection.attach(session);
      return session;
    }

    @Override
    public void upgraded(Channel channel, SecuredPeer peer, YamuxSession session) {
      String refusal = limiter.admitPeer(peer.peerId(), channel);
      if (refusal != null || state != State.STARTED) {
        String reason = refusal != null ? refusal : "host is stopping";
        LOG.debug("closing connection with {} at {}: {}", peer.peerId(), channel.remoteAddress(), reason);
        session.close();
        if (dialResult != null) {
          dialResult.completeExceptionally(new HostException(Fault.LOCAL, reason));
        }
        return;
      }
      HostConnection c = connection;
      connections.add(c);
      if (initiator) {
        peerStore.addAddrs(peer.peerId(), List.of(c.remoteAddr()));
      }
      channel.closeFuture().addListener(f -> {
        connections.remove(c);
        fire(l -> l.onDisconnected(c));
      });
      LOG.debug("connected to {} ({})", peer.peerId(), c);
      fire(l -> l.onConnected(c));
      identify.onConnected(c);
      if (dialResult != null) {
        dialResult.complete(c);
      }
    }

    @Override
    public void failed(Channel channel, P2pException cause) {
      if (dialResult != null) {
        dialResult.completeExceptionally(new HostException(cause.fault(),
            "connection upgrade with " + channel.remoteAddress() + " failed: " + cause.getMessage(), cause));
      }
    }
  }

  /** What Identify tells peers about this host. */
  private final class IdentifyView implements IdentifyService.LocalHost {
    @Override
    public PrivKey privKey() {
      return privKey;
    }

    @Override
    public List<Multiaddr> listenAddrs() {
      return Libp2pHost.this.listenAddrs();
    }

    @Override
    public Set<String> protocols() {
      return dispatcher.protocols();
    }

    @Override
    public Collection<Connection> connections() {
      return Libp2pHost.this.connections();
    }

    @Override
    public byte[] signedPeerRecord() {
      return Libp2pHost.this.signedPeerRecord();
    }
  }

  private volatile byte[] signedRecord = new byte[0];
  private volatile List<Multiaddr> signedRecordAddrs = List.of();
  private long recordSeq;

  /**
   * Our signed peer record for the current listen addresses, signed again only when they change;
   * seq is wall-clock microseconds and strictly increasing.
   */
  private synchronized byte[] signedPeerRecord() {
    List<Multiaddr> addrs = listenAddrs();
    if (!addrs.equals(signedRecordAddrs) || signedRecord.length == 0) {
      recordSeq = Math.max(recordSeq + 1, System.currentTimeMillis() * 1000);
      signedRecord = new PeerRecord(peerId, recordSeq, addrs).sign(privKey);
      signedRecordAddrs = addrs;
    }
    return signedRecord;
  }

  private void fire(Consumer<HostListener> event) {
    for (HostListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.error("bug: host listener {} failed", l, e);
      }
    }
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }
}
