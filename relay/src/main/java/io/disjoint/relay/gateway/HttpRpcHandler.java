package io.disjoint.relay.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.jsonrpc.JsonRpcError;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection: answers one request at a time, in arrival order. Auto-read is off and
 * the next read is asked for only when the answer is written and no decoded request waits, so
 * pipelined answers stay in order and one connection can queue no more than one read's worth. Serves {@code POST /<chain>}, {@code GET /health}, CORS
 * preflights, and hands WebSocket upgrades to {@link WebSocketUpgrade}.
 */
final class HttpRpcHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpRpcHandler.class);
  private static final Set<String> JSON_TYPES =
      Set.of("application/json", "application/json-rpc", "application/jsonrequest");

  /** Decoded requests that may wait before reading stops. */
  private static final int MAX_WAITING = 8;

  private final GatewayContext gateway;
  private final SlowRequestGuard guard;
  private final ReadGate gate;

  HttpRpcHandler(GatewayContext gateway, SlowRequestGuard guard, ReadGate gate) {
    this.gateway = gateway;
    this.guard = guard;
    this.gate = gate;
  }

  /** Requests decoded while an earlier one is being answered (HTTP pipelining). */
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean answering;
  private boolean resumeWhenWritable;
  /** The request being answered is HTTP/1.0. */
  private boolean http10;

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    guard.requestReceived();
    waiting.add(request);
    updateGate(ctx);
    if (!answering) {
      answerNext(ctx);
    }
  }

  private void answerNext(ChannelHandlerContext ctx) {
    FullHttpRequest request = waiting.poll();
    if (request == null) {
      updateGate(ctx);
      ctx.read();
      return;
    }
    answering = true;
    updateGate(ctx);
    try {
      handle(ctx, request);
    } finally {
      request.release();
    }
  }

  /**
   * The current request is answered: go on with a waiting one, or read more; but only once the
   * answers written so far have drained below the write buffer's high water mark.
   */
  private void answered(ChannelHandlerContext ctx) {
    answering = false;
    if (!ctx.channel().isWritable()) {
      updateGate(ctx);
      resumeWhenWritable = true;
      return;
    }
    goOn(ctx);
  }

  private void goOn(ChannelHandlerContext ctx) {
    if (waiting.isEmpty()) {
      updateGate(ctx);
      ctx.read();
    } else {
      // not recursively: a long pipeline of immediate answers would grow the stack
      ctx.executor().execute(() -> {
        if (!answering && ctx.channel().isActive()) {
          answerNext(ctx);
        }
      });
    }
  }

  /**
   * Reads on only while few requests wait and earlier answers have drained below the write
   * buffer's high water mark: a client that pipelines without reading its answers cannot make
   * the gateway buffer without bound. While the gate is shut the slow-request clock is stopped,
   * since then the wait is ours, not the client's.
   */
  private void updateGate(ChannelHandlerContext ctx) {
    boolean open = waiting.size() < MAX_WAITING && ctx.channel().isWritable();
    if (!open && gate.isOpen()) {
      guard.requestReceived();
    }
    gate.setOpen(open);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    updateGate(ctx);
    if (resumeWhenWritable && ctx.channel().isWritable()) {
      resumeWhenWritable = false;
      goOn(ctx);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    FullHttpRequest request;
    while ((request = waiting.poll()) != null) {
      request.release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    FullHttpRequest request;
    while ((request = waiting.poll()) != null) {
      request.release();
    }
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (ctx.channel() instanceof DuplexChannel duplex && duplex.isOutputShutdown()) {
      return; // answering a rejected body; this connection is closing
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    if (!request.decoderResult().isSuccess()) {
      respondError(ctx, HttpResponseStatus.BAD_REQUEST, invalid("malformed HTTP request"), false, origin);
      return;
    }
    String path = pathOf(request.uri());
    if (request.method() == HttpMethod.OPTIONS) {
      preflight(ctx, request, keepAlive, origin);
      return;
    }
    if (path.equals("health") && request.method() == HttpMethod.GET) {
      health(ctx, keepAlive, origin);
      return;
    }
    ChainEndpoint chain = gateway.resolve(path);
    if (chain == null) {
      respondError(
          ctx,
          HttpResponseStatus.NOT_FOUND,
          invalid("unknown chain '" + JsonRpcError.quote(path) + "'; this gateway serves " + gateway.chainList()),
          keepAlive,
          origin);
      return;
    }
    if (request.method() == HttpMethod.GET && isWebSocketUpgrade(request)) {
      if (origin != null && gateway.cors().enabled() && !gateway.cors().allows(origin)) {
        respondError(ctx, HttpResponseStatus.FORBIDDEN, invalid("origin not allowed"), false, null);
        return;
      }
      WebSocketUpgrade.upgrade(ctx, request, chain, gateway);
      return;
    }
    if (request.method() != HttpMethod.POST) {
      FullHttpResponse response =
          jsonResponse(
              HttpResponseStatus.METHOD_NOT_ALLOWED,
              gateway.dispatcher()
                  .errorBody(ctx.alloc(), invalid("use POST for JSON-RPC, or GET with a WebSocket upgrade")));
      response.headers().set(HttpHeaderNames.ALLOW, CorsPolicy.ALLOWED_METHODS);
      send(ctx, response, keepAlive, origin);
      return;
    }
    if (!isJson(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
      respondError(
          ctx,
          HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          invalid("content type must be application/json"),
          keepAlive,
          origin);
      return;
    }
    dispatch(ctx, chain, ByteBufUtil.getBytes(request.content()), keepAlive, origin);
  }

  private void dispatch(ChannelHandlerContext ctx, ChainEndpoint chain, byte[] body, boolean keepAlive, String origin) {
    gateway
        .dispatcher()
        .dispatch(
            chain,
            body,
            Optional.empty(),
            ctx.executor(),
            ctx.alloc(),
            new RpcDispatcher.Reply() {
              @Override
              public void send(ByteBuf json) {
                respond(ctx, HttpResponseStatus.OK, json, keepAlive, origin);
              }

              @Override
              public void nothing() {
                respond(ctx, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER, keepAlive, origin);
              }
            });
  }

  private void preflight(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive, String origin) {
    String requestedMethod = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    if (origin != null && requestedMethod != null && !gateway.cors().allows(origin)) {
      respondError(ctx, HttpResponseStatus.FORBIDDEN, invalid("origin not allowed"), keepAlive, null);
      return;
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
    response.headers().set(HttpHeaderNames.ALLOW, CorsPolicy.ALLOWED_METHODS);
    if (origin != null && requestedMethod != null) {
      gateway
          .cors()
          .decoratePreflight(
              response.headers(), origin, request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS));
    }
    send(ctx, response, keepAlive, null);
  }

  /** {@code GET /health}: 200 while any chain has a routable peer, else 503. */
  private void health(ChannelHandlerContext ctx, boolean keepAlive, String origin) {
    ObjectNode body = healthBody();
    HttpResponseStatus status =
        body.path("status").asText().equals("unavailable") ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK;
    try {
      respond(ctx, status, Unpooled.wrappedBuffer(JsonRpcMapper.SHARED.writeValueAsBytes(body)), keepAlive, origin);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("writing a small JSON tree cannot fail", e);
    }
  }

  /**
   * Per chain: aliases, routable peers and their count per failure domain (declared claims, no
   * peer ids). Status ok when every chain has a routable peer, degraded when some have, else
   * unavailable.
   */
  private ObjectNode healthBody() {
    ObjectNode root = JsonRpcMapper.SHARED.createObjectNode();
    ArrayNode chains = JsonRpcMapper.SHARED.createArrayNode();
    int routable = 0;
    List<ChainEndpoint> accepted = gateway.chains();
    for (ChainEndpoint chain : accepted) {
      int peers = gateway.peerCount().routablePeers(chain.chainId());
      if (peers > 0) {
        routable++;
      }
      ObjectNode entry = chains.addObject();
      entry.put("chain", chain.chainId());
      entry.putPOJO("aliases", chain.aliases());
      entry.put("routablePeers", peers);
      ObjectNode byDomain = entry.putObject("routablePeersByDomain");
      new java.util.TreeMap<>(gateway.peerCount().routablePeersByDomain(chain.chainId())).forEach(byDomain::put);
    }
    root.put(
        "status",
        routable == accepted.size() && routable > 0 ? "ok" : routable == 0 ? "unavailable" : "degraded");
    root.set("chains", chains);
    return root;
  }

  private void respondError(
      ChannelHandlerContext ctx, HttpResponseStatus status, JsonRpcError error, boolean keepAlive, String origin) {
    respond(ctx, status, gateway.dispatcher().errorBody(ctx.alloc(), error), keepAlive, origin);
  }

  private void respond(
      ChannelHandlerContext ctx, HttpResponseStatus status, ByteBuf body, boolean keepAlive, String origin) {
    send(ctx, jsonResponse(status, body), keepAlive, origin);
  }

  private void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, String origin) {
    gateway.cors().decorate(response.headers(), origin);
    if (!ctx.channel().isActive()) {
      response.release();
      answering = false;
      return;
    }
    HttpUtil.setKeepAlive(response, keepAlive);
    if (keepAlive && http10) {
      // HTTP/1.0 clients keep the connection only when told so explicitly
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (keepAlive) {
      ctx.writeAndFlush(response, ctx.voidPromise());
      answered(ctx);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  static FullHttpResponse jsonResponse(HttpResponseStatus status, ByteBuf body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    if (body.isReadable()) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    }
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP connection failed: {}", cause.toString());
    ctx.close();
  }

  private static JsonRpcError invalid(String message) {
    return new JsonRpcError(JsonRpcError.INVALID_REQUEST, message);
  }

  private static String pathOf(String uri) {
    int query = uri.indexOf('?');
    String path = query >= 0 ? uri.substring(0, query) : uri;
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return QueryStringDecoder.decodeComponent(path);
  }

  private static boolean isWebSocketUpgrade(FullHttpRequest request) {
    return request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && request.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim();
    return JSON_TYPES.contains(mediaType.toLowerCase(Locale.ROOT));
  }
}
