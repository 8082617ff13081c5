package io.disjoint.relay.gateway;

import io.disjoint.p2p.transport.IoTransport;
import io.disjoint.relay.jsonrpc.JsonRpcError;
import io.disjoint.relay.route.RequestRouter;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC gateway a dApp points at: HTTP/1.1 (keep-alive, pipelining-safe) and WebSocket on
 * one port; {@code POST /<chain>} and {@code GET /<chain>} (WebSocket upgrade) where chain is a
 * CAIP-2 id or an alias; {@code GET /health}.
 *
 * <pre>{@code
 * WebSocketSessions sessions = new WebSocketSessions();   // the router's SubscriptionSink
 * GatewayServer gateway = new GatewayServer(
 *     GatewayConfig.builder().listen(addr).chain("eip155:31337").alias("eth", "eip155:31337").build(),
 *     router, peers::routableCount, sessions, Clock.systemUTC());
 * gateway.start();   // gateway.address() has the bound port
 * ...
 * gateway.close();
 * }</pre>
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
  private static final int MAX_INITIAL_LINE = 8 * 1024;
  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_CHUNK = 64 * 1024;
  private static final HttpDecoderConfig DECODER =
      new HttpDecoderConfig()
          .setMaxInitialLineLength(MAX_INITIAL_LINE)
          .setMaxHeaderSize(MAX_HEADER_BYTES)
          .setMaxChunkSize(MAX_CHUNK);
  /**
   * Requests the decoder may hold unanswered. Reading stops after a few (see HttpRpcHandler), but
   * one socket read is decoded whole: this covers a 64 KiB read of the smallest requests.
   */
  private static final int MAX_PIPELINE_DEPTH = 4_096;

  private final GatewayConfig config;
  private final GatewayContext context;
  private final GatewayChains chains;
  private final ChannelGroup connections = new DefaultChannelGroup("gateway-connections", GlobalEventExecutor.INSTANCE);
  private EventLoopGroup bossGroup;
  private EventLoopGroup ioGroup;
  private Channel serverChannel;

  /**
   * @param router sends allowed, non-local requests to the network
   * @param peerCount routable peers per chain, for {@code /health}
   * @param sessions the WebSocket session registry, also given to the router as its
   *     {@link SubscriptionSink}
   */
  public GatewayServer(
      GatewayConfig config,
      RequestRouter router,
      RoutablePeerCount peerCount,
      WebSocketSessions sessions,
      Clock clock) {
    this(config, router, peerCount, sessions, clock, new CompositeMeterRegistry());
  }

  /**
   * As above, with meters registered in {@code metrics}: {@code disjoint.gateway.calls} (counter;
   * tags chain, method as listed in the method table or "other", outcome: ok, rpc_error, denied,
   * invalid, timeout, failed) and {@code disjoint.gateway.bodies} (timer; tags transport http|ws,
   * kind single|batch|rejected).
   */
  public GatewayServer(
      GatewayConfig config,
      RequestRouter router,
      RoutablePeerCount peerCount,
      WebSocketSessions sessions,
      Clock clock,
      MeterRegistry metrics) {
    Objects.requireNonNull(metrics, "metrics");
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(router, "router");
    this.chains = new GatewayChains(config);
    this.context =
        new GatewayContext(
            config,
            chains,
            new RpcDispatcher(
                config, router, Objects.requireNonNull(clock, "clock"), new GatewayMetrics(metrics)),
            new CorsPolicy(config.corsOrigins()),
            Objects.requireNonNull(peerCount, "peerCount"),
            Objects.requireNonNull(sessions, "sessions"));
  }

  /**
   * Binds the listen address on event loops of its own, of the process's configured I/O transport
   * ({@link IoTransport#configured()}); returns once the gateway accepts connections.
   */
  public synchronized GatewayServer start() throws InterruptedException {
    ensureNotStarted();
    IoTransport io = IoTransport.configured();
    bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gateway-accept", true), io.ioHandlerFactory());
    ioGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("gateway-io", true),
        io.ioHandlerFactory());
    return bind(bossGroup.next(), GatewayEventLoops.roundRobin(ioGroup));
  }

  /**
   * Binds the listen address on event loops shared with another component (the libp2p host),
   * which owns them: closing the gateway closes its channels, not the loops.
   */
  public synchronized GatewayServer start(GatewayEventLoops loops) throws InterruptedException {
    ensureNotStarted();
    return bind(loops.group().next(), loops);
  }

  private void ensureNotStarted() {
    if (serverChannel != null) {
      throw new IllegalStateException("gateway already started");
    }
  }

  private GatewayServer bind(EventLoop acceptLoop, GatewayEventLoops loops) throws InterruptedException {
    ServerChannel server = loops.transport().newServerChannel();
    try {
      server.config().setOption(ChannelOption.SO_BACKLOG, 1024);
      server.config().setOption(ChannelOption.SO_REUSEADDR, true);
      server.pipeline().addLast("accept", new ConnectionAcceptor(loops, connections, this::initConnection));
      acceptLoop.register(server).sync();
      server.bind(config.listen()).sync();
      serverChannel = server;
    } catch (InterruptedException | RuntimeException e) {
      server.close();
      close();
      throw e;
    }
    log.info("gateway listening on {} ({})", address(), loops.transport());
    return this;
  }

  private void initConnection(Channel ch) {
    SlowRequestGuard guard =
        new SlowRequestGuard(config.requestReadTimeout(), this::answerSlowRequest);
    ReadGate gate = new ReadGate();
    ch.pipeline()
        .addLast("guard", guard)
        .addLast("gate", gate)
        .addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
        .addLast("http", new HttpServerCodec(DECODER, MAX_PIPELINE_DEPTH))
        .addLast("body", new BodyLimitAggregator(config.maxBodyBytes(), this::tooLargeResponse, guard::requestReceived))
        .addLast("rpc", new HttpRpcHandler(context, guard, gate));
  }

  private FullHttpResponse tooLargeResponse() {
    FullHttpResponse response =
        HttpRpcHandler.jsonResponse(
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            context
                .dispatcher()
                .errorBody(
                    ByteBufAllocator.DEFAULT,
                    new JsonRpcError(
                        JsonRpcError.INVALID_REQUEST,
                        "request body larger than " + config.maxBodyBytes() + " bytes")));
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return response;
  }

  private void answerSlowRequest(ChannelHandlerContext ctx) {
    FullHttpResponse response =
        HttpRpcHandler.jsonResponse(
            HttpResponseStatus.REQUEST_TIMEOUT,
            context
                .dispatcher()
                .errorBody(
                    ctx.alloc(),
                    new JsonRpcError(
                        JsonRpcError.INVALID_REQUEST,
                        "request not received within " + config.requestReadTimeout().toMillis() + " ms")));
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    // written from the tail so that the HTTP encoder frames it
    ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** The bound address (with the real port when the config said port 0). */
  public InetSocketAddress address() {
    if (serverChannel == null) {
      throw new IllegalStateException("gateway not started");
    }
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** {@code http://host:port/<chain>} for each chain accepted now, as printed by the daemon. */
  public List<String> urls() {
    List<String> urls = new ArrayList<>();
    for (ChainEndpoint chain : chains.all()) {
      urls.add(url(chain.chainId()));
    }
    return urls;
  }

  /** {@code http://host:port/<chain>}. */
  public String url(String chain) {
    InetSocketAddress at = address();
    return "http://" + at.getHostString() + ":" + at.getPort() + "/" + chain;
  }

  /**
   * Starts accepting a chain that a peer serves (learned from its hello), from any thread. Empty
   * when the chain is accepted (now or before); otherwise why it cannot be (see
   * {@link GatewayChains#accept}).
   */
  public java.util.Optional<String> acceptChain(String chain) {
    return chains.accept(chain);
  }

  public GatewayConfig config() {
    return config;
  }

  @Override
  public synchronized void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
    }
    // On shared loops nobody else closes them; on our own, before the loops stop.
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    if (ioGroup != null) {
      ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      ioGroup = null;
    }
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      bossGroup = null;
    }
  }
}
