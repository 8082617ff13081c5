package io.disjoint.relay.upstream;

import io.disjoint.p2p.transport.IoTransport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The serving side's client to the operator's own chain node, with its head tracker.
 *
 * <p>{@code http://} URLs use a keep-alive connection pool (one request in flight per connection,
 * bounded pool and wait queue); {@code ws://} URLs use one multiplexed WebSocket, reconnected on
 * demand. HTTP 429/5xx, timeouts and transport errors fail with a retryable
 * {@link UpstreamException}; JSON-RPC errors are answers and come back as the response bytes.
 * Exception messages never contain the upstream URL.
 *
 * <p>Loop affinity: a request sent from a Netty event loop (the relay stream's, on a serving
 * node) goes through a pool of connections registered on that same loop, so the answer completes
 * on the caller's thread and the relay answer is written without a thread hop. Requests from any
 * other thread use the client's own loop. {@link UpstreamConfig#maxConnections()} bounds each
 * pool.
 *
 * <pre>{@code
 * HttpUpstreamClient upstream = HttpUpstreamClient.start(
 *     UpstreamConfig.builder(URI.create("http://127.0.0.1:8545"))
 *         .headSubscriptionUrl(URI.create("ws://127.0.0.1:8545")).build(),
 *     Clock.systemUTC());
 * byte[] answer = upstream.send(requestBytes, Duration.ofSeconds(5)).join();
 * Head head = upstream.head();   upstream.headTracker().healthy();
 * upstream.close();
 * }</pre>
 */
public final class HttpUpstreamClient implements UpstreamClient {
  private final UpstreamConfig config;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final EventLoop loop;
  private final IoTransport io;
  private final Optional<HttpConnectionPool> pool;
  /** Pools on callers' event loops (a few: one per loop that ever sent), see the class comment. */
  private final ConcurrentHashMap<EventExecutor, Optional<HttpConnectionPool>> callerPools = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private final HeadTracker headTracker;
  private CompletableFuture<UpstreamWebSocket> webSocket;

  private HttpUpstreamClient(UpstreamConfig config, EventLoopGroup group, boolean ownsGroup, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.loop = group.next();
    this.io = IoTransport.of(group);
    this.pool = config.webSocket()
        ? Optional.empty()
        : Optional.of(new HttpConnectionPool(config, loop, io));
    this.headTracker =
        new HeadTracker(
            this::send,
            config.headSubscriptionUrl().map(url -> () -> UpstreamWebSocket.connect(
                url, group.next(), config.connectTimeout(), config.maxResponseBytes(), config.tls())),
            loop,
            clock,
            config.headPollInterval(),
            config.unhealthyAfterFailures());
  }

  /**
   * Starts a client with its own single I/O thread, of the process's configured I/O transport
   * ({@link IoTransport#configured()}), and its head tracker.
   */
  public static HttpUpstreamClient start(UpstreamConfig config, Clock clock) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, IoTransport.configured().ioHandlerFactory());
    HttpUpstreamClient client = new HttpUpstreamClient(config, group, true, clock);
    client.headTracker.start();
    return client;
  }

  /** Starts a client on a shared event loop group (not shut down by {@link #close()}). */
  public static HttpUpstreamClient start(UpstreamConfig config, EventLoopGroup group, Clock clock) {
    HttpUpstreamClient client = new HttpUpstreamClient(config, group, false, clock);
    client.headTracker.start();
    return client;
  }

  @Override
  public CompletableFuture<byte[]> send(byte[] requestJson, Duration timeout) {
    Objects.requireNonNull(requestJson, "requestJson");
    Objects.requireNonNull(timeout, "timeout");
    if (pool.isPresent()) {
      return poolForCaller().orElse(pool.get()).send(requestJson, timeout);
    }
    return webSocket().thenCompose(ws -> ws.sendRaw(requestJson, timeout));
  }

  /** The pool on the calling event loop, if the caller is one this client can register channels on. */
  private Optional<HttpConnectionPool> poolForCaller() {
    EventExecutor current = ThreadExecutorMap.currentExecutor();
    if (current == null || current == loop || closed || !(current instanceof EventLoop callerLoop)) {
      return Optional.empty();
    }
    Optional<HttpConnectionPool> p = callerPools.get(current);
    return p != null ? p : callerPools.computeIfAbsent(current, k -> poolOn(callerLoop));
  }

  private Optional<HttpConnectionPool> poolOn(EventLoop callerLoop) {
    return IoTransport.of(callerLoop).map(t -> new HttpConnectionPool(config, callerLoop, t));
  }

  /** The multiplexed WebSocket for ws:// upstreams, reconnected when it has closed. */
  private synchronized CompletableFuture<UpstreamWebSocket> webSocket() {
    if (webSocket == null
        || webSocket.isCompletedExceptionally()
        || (webSocket.isDone() && !webSocket.join().isOpen())) {
      webSocket = UpstreamWebSocket.connect(config.url(), loop, config.connectTimeout(), config.maxResponseBytes(),
          config.tls());
    }
    return webSocket;
  }

  @Override
  public Head head() {
    return headTracker.head();
  }

  public HeadTracker headTracker() {
    return headTracker;
  }

  public UpstreamConfig config() {
    return config;
  }

  /** Open pooled HTTP connections (0 for ws:// upstreams). */
  public int openConnections() {
    int callers = callerPools.values().stream().flatMap(Optional::stream).mapToInt(HttpConnectionPool::openConnections).sum();
    return pool.map(HttpConnectionPool::openConnections).orElse(0) + callers;
  }

  @Override
  public void close() {
    closed = true;
    headTracker.close();
    pool.ifPresent(HttpConnectionPool::close);
    callerPools.values().forEach(p -> p.ifPresent(HttpConnectionPool::close));
    synchronized (this) {
      if (webSocket != null) {
        webSocket.thenAccept(UpstreamWebSocket::close);
      }
    }
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
