package io.disjoint.relay.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.p2p.transport.IoTransport;
import io.disjoint.relay.jsonrpc.JsonRpcMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket to an upstream chain node, multiplexed: every request gets an id of our own (the
 * caller's ids are put back on the answer), and {@code eth_subscription} notifications go to the
 * listener registered for their subscription id. Thread-safe; I/O on one event loop.
 */
public final class UpstreamWebSocket implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UpstreamWebSocket.class);

  private final Channel channel;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, Consumer<JsonNode>> subscriptions = new ConcurrentHashMap<>();
  private long nextId = 1;

  /** A request waiting for its answer; {@code originalIds} maps our ids back to the caller's. */
  private record Pending(CompletableFuture<JsonNode> answer, Map<Long, JsonNode> originalIds, boolean batch) {}

  private UpstreamWebSocket(Channel channel) {
    this.channel = channel;
  }

  /** Connects and completes once the handshake is done. */
  public static CompletableFuture<UpstreamWebSocket> connect(
      URI url, EventLoop loop, Duration connectTimeout, int maxMessageBytes) {
    return connect(url, loop, connectTimeout, maxMessageBytes, UpstreamTls.systemTrust());
  }

  /**
   * As above; a wss:// url is verified with {@code tls}. The socket is of the I/O transport of
   * {@code loop} (io_uring, epoll or NIO).
   */
  public static CompletableFuture<UpstreamWebSocket> connect(
      URI url, EventLoop loop, Duration connectTimeout, int maxMessageBytes, UpstreamTls tls) {
    CompletableFuture<UpstreamWebSocket> ready = new CompletableFuture<>();
    int port = UpstreamConfig.port(url);
    boolean secure = UpstreamConfig.secure(url);
    WebSocketClientProtocolConfig protocol =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(url)
            .maxFramePayloadLength(maxMessageBytes)
            .handshakeTimeoutMillis(connectTimeout.toMillis())
            .build();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(IoTransport.of(loop)
                .orElseThrow(() -> new IllegalArgumentException("not a Netty I/O event loop: " + loop))
                .socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    UpstreamWebSocket socket = new UpstreamWebSocket(ch);
                    if (secure) {
                      io.netty.handler.ssl.SslHandler handler = tls.newHandler(ch.alloc(), url.getHost(), port);
                      handler.handshakeFuture().addListener(h -> {
                        if (!h.isSuccess()) {
                          String why = UpstreamTls.describe(h.cause());
                          log.warn("TLS handshake with upstream {}:{} failed: {}", url.getHost(), port, why);
                          ready.completeExceptionally(new UpstreamException("upstream TLS handshake failed: " + why, true));
                        }
                      });
                      ch.pipeline().addLast(handler);
                    }
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new WebSocketClientProtocolHandler(protocol))
                        .addLast(new WebSocketFrameAggregator(maxMessageBytes))
                        .addLast(socket.new FrameHandler(ready));
                  }
                });
    bootstrap
        .connect(url.getHost(), port)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                log.debug("upstream WebSocket connect failed: {}", f.cause().toString());
                ready.completeExceptionally(
                    new UpstreamException("upstream WebSocket unreachable (connect failed)", true));
              }
            });
    return ready;
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /** Completes when the connection is gone. */
  public CompletableFuture<Void> closed() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    channel.closeFuture().addListener(f -> done.complete(null));
    return done;
  }

  /** Calls one method; completes with the whole response object (result or error). */
  public CompletableFuture<JsonNode> call(String method, JsonNode params, Duration timeout) {
    ObjectNode request = JsonNodeFactory.instance.objectNode();
    request.put("jsonrpc", "2.0");
    request.putNull("id");
    request.put("method", method);
    request.set("params", params);
    return exchange(request, timeout);
  }

  /**
   * Sends a raw JSON-RPC request or batch as the relay received it and completes with the raw
   * answer, ids restored. Notifications (no id) complete with an empty answer once written.
   */
  public CompletableFuture<byte[]> sendRaw(byte[] requestJson, Duration timeout) {
    JsonNode request;
    try {
      request = JsonRpcMapper.SHARED.readTree(requestJson);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new UpstreamException("request is not valid JSON", false, e));
    }
    if (request == null || !(request.isObject() || request.isArray())) {
      return CompletableFuture.failedFuture(new UpstreamException("request is not a JSON-RPC object or batch", false));
    }
    return exchange(request, timeout)
        .thenApply(
            answer -> {
              try {
                return answer.isMissingNode() ? new byte[0] : JsonRpcMapper.SHARED.writeValueAsBytes(answer);
              } catch (IOException e) {
                throw new UpstreamException("could not encode the upstream answer", false, e);
              }
            });
  }

  /** Routes {@code eth_subscription} notifications of one subscription id to a listener. */
  public void onSubscription(String subscriptionId, Consumer<JsonNode> listener) {
    subscriptions.put(subscriptionId, listener);
  }

  public void removeSubscription(String subscriptionId) {
    subscriptions.remove(subscriptionId);
  }

  private CompletableFuture<JsonNode> exchange(JsonNode request, Duration timeout) {
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    channel.eventLoop().execute(() -> start(request, timeout, answer));
    return answer;
  }

  /** On the loop: assign ids, register, write, arm the timeout. */
  private void start(JsonNode request, Duration timeout, CompletableFuture<JsonNode> answer) {
    if (!channel.isActive()) {
      answer.completeExceptionally(new UpstreamException("upstream WebSocket closed", true));
      return;
    }
    Map<Long, JsonNode> originals = new HashMap<>();
    Long key = null;
    for (JsonNode entry : request.isArray() ? request : JsonNodeFactory.instance.arrayNode().add(request)) {
      if (entry instanceof ObjectNode object && object.has("id")) {
        long id = nextId++;
        originals.put(id, object.get("id"));
        object.put("id", id);
        if (key == null) {
          key = id;
        }
      }
    }
    byte[] bytes;
    try {
      bytes = JsonRpcMapper.SHARED.writeValueAsBytes(request);
    } catch (IOException e) {
      answer.completeExceptionally(new UpstreamException("could not encode the request", false, e));
      return;
    }
    if (key == null) {
      channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
      answer.complete(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
      return;
    }
    Pending entry = new Pending(answer, originals, request.isArray());
    originals.keySet().forEach(id -> pending.put(id, entry));
    channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    channel
        .eventLoop()
        .schedule(
            () -> {
              if (answer.completeExceptionally(
                  new UpstreamException("upstream timed out after " + timeout.toMillis() + " ms", true))) {
                originals.keySet().forEach(pending::remove);
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  private void received(String text) {
    JsonNode message;
    try {
      message = JsonRpcMapper.SHARED.readTree(text);
    } catch (IOException e) {
      log.debug("upstream WebSocket sent invalid JSON; closing");
      channel.close();
      return;
    }
    if (message.isObject() && message.has("method") && !message.has("id")) {
      JsonNode params = message.path("params");
      Consumer<JsonNode> listener = subscriptions.get(params.path("subscription").asText(""));
      if (listener != null) {
        listener.accept(params.path("result"));
      }
      return;
    }
    JsonNode first = message.isArray() ? firstWithId(message) : message;
    if (first == null || !first.path("id").canConvertToLong()) {
      log.debug("upstream WebSocket answer without a known id; ignored");
      return;
    }
    Pending entry = pending.get(first.get("id").longValue());
    if (entry == null) {
      return; // timed out already
    }
    entry.originalIds().keySet().forEach(pending::remove);
    for (JsonNode answer : message.isArray() ? message : JsonNodeFactory.instance.arrayNode().add(message)) {
      if (answer instanceof ObjectNode object && object.path("id").canConvertToLong()) {
        JsonNode original = entry.originalIds().get(object.get("id").longValue());
        if (original != null) {
          object.set("id", original);
        }
      }
    }
    entry.answer().complete(message);
  }

  private static JsonNode firstWithId(JsonNode array) {
    for (JsonNode item : (ArrayNode) array) {
      if (item.path("id").canConvertToLong()) {
        return item;
      }
    }
    return null;
  }

  private void failAll() {
    UpstreamException closed = new UpstreamException("upstream WebSocket closed before answering", true);
    pending.values().forEach(p -> p.answer().completeExceptionally(closed));
    pending.clear();
  }

  @Override
  public void close() {
    channel.close();
  }

  private final class FrameHandler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private final CompletableFuture<UpstreamWebSocket> ready;

    FrameHandler(CompletableFuture<UpstreamWebSocket> ready) {
      this.ready = ready;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      received(frame.text());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        ready.complete(UpstreamWebSocket.this);
      } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
        ready.completeExceptionally(new UpstreamException("upstream WebSocket handshake timed out", true));
        ctx.close();
      }
      super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      ready.completeExceptionally(new UpstreamException("upstream WebSocket closed during the handshake", true));
      failAll();
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("upstream WebSocket failed: {}", cause.toString());
      ready.completeExceptionally(new UpstreamException("upstream WebSocket failed", true));
      ctx.close();
    }
  }
}
