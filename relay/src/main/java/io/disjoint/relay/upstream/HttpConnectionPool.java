package io.disjoint.relay.upstream;

import io.disjoint.p2p.transport.IoTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keep-alive HTTP/1.1 connections to one upstream, one request in flight per connection (no
 * pipelining: a slow answer must not hold up the ones behind it). All pool state lives on one
 * event loop; {@link #send} hops onto it. Bounded: at most {@code maxConnections} connections and
 * {@code maxPendingRequests} requests waiting for one.
 */
final class HttpConnectionPool {
  private static final Logger log = LoggerFactory.getLogger(HttpConnectionPool.class);
  private static final AttributeKey<Exchange> IN_FLIGHT = AttributeKey.valueOf("disjoint.upstream.inFlight");
  private static final int CRLF = ('\r' << 8) | '\n';
  /**
   * Answers come from the operator's own chain node and only their status and body are used, so
   * their header names and values are not checked one by one (the parser's own limits still hold).
   */
  private static final HttpDecoderConfig ANSWER_DECODER = new HttpDecoderConfig().setValidateHeaders(false);

  private final UpstreamConfig config;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  /**
   * The request line and the headers up to the Content-Length value, the same for every request
   * of the pool: written as bytes rather than through Netty's HTTP encoder, which built and
   * validated a header map per request (a tenth of the serving node's CPU per relay went to the
   * upstream request's encoding and the answer's header checks).
   */
  private final byte[] requestHead;
  private final ArrayDeque<Channel> idle = new ArrayDeque<>();
  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
  private int open;
  private boolean closed;

  /** One request from submission to answer. Confined to the loop. */
  private final class Exchange {
    final byte[] body;
    final CompletableFuture<byte[]> result;
    final Duration timeout;
    ScheduledFuture<?> timer;
    Channel channel;
    /** Written on a connection that had served before; the server may have closed it meanwhile. */
    boolean onReusedConnection;
    boolean retried;

    Exchange(byte[] body, Duration timeout, CompletableFuture<byte[]> result) {
      this.body = body;
      this.timeout = timeout;
      this.result = result;
    }

    void fail(UpstreamException e) {
      if (timer != null) {
        timer.cancel(false);
      }
      result.completeExceptionally(e);
    }

    void succeed(byte[] answer) {
      if (timer != null) {
        timer.cancel(false);
      }
      result.complete(answer);
    }
  }

  /** A pool on {@code loop}, whose I/O transport must be {@code io}. */
  HttpConnectionPool(UpstreamConfig config, EventLoop loop, IoTransport io) {
    this.config = config;
    this.loop = loop;
    this.requestHead = ("POST " + config.pathAndQuery() + " HTTP/1.1\r\n"
            + "Host: " + config.url().getHost() + ":" + config.port() + "\r\n"
            + "Content-Type: application/json\r\n"
            + "Accept: application/json\r\n"
            + "Content-Length: ").getBytes(StandardCharsets.ISO_8859_1);
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(io.socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (config.secure()) {
                      ch.pipeline().addLast(config.tls().newHandler(ch.alloc(), config.url().getHost(), config.port()));
                    }
                    ch.pipeline()
                        .addLast(new HttpResponseDecoder(ANSWER_DECODER))
                        .addLast(new ResponseLimit(config.maxResponseBytes()))
                        .addLast(new ResponseHandler());
                  }
                });
  }

  CompletableFuture<byte[]> send(byte[] requestJson, Duration timeout) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Exchange exchange = new Exchange(requestJson, timeout, result);
    if (loop.inEventLoop()) {
      submit(exchange);
    } else {
      loop.execute(() -> submit(exchange));
    }
    return result;
  }

  private void submit(Exchange exchange) {
    if (closed) {
      exchange.fail(new UpstreamException("upstream client closed", true));
      return;
    }
    exchange.timer =
        loop.schedule(() -> timedOut(exchange), exchange.timeout.toNanos(), TimeUnit.NANOSECONDS);
    Channel channel = idle.pollLast(); // most recently used: least likely closed by the server
    if (channel != null) {
      exchange.onReusedConnection = true;
      write(channel, exchange);
    } else if (open < config.maxConnections()) {
      connect(exchange);
    } else if (waiting.size() < config.maxPendingRequests()) {
      waiting.add(exchange);
    } else {
      exchange.fail(new UpstreamException("upstream busy: all connections in use", true));
    }
  }

  private void connect(Exchange exchange) {
    open++;
    ChannelFuture connecting = bootstrap.connect(config.url().getHost(), config.port());
    connecting.channel().closeFuture().addListener(f -> connectionClosed(connecting.channel()));
    connecting.addListener(
        f -> {
          if (!f.isSuccess()) {
            log.debug("upstream connect failed: {}", f.cause().toString());
            exchange.fail(new UpstreamException("upstream unreachable (connect failed)", true));
            failWaitingIfNoConnection();
            return;
          }
          io.netty.handler.ssl.SslHandler tls = connecting.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class);
          if (tls == null) {
            connected(connecting.channel(), exchange);
            return;
          }
          tls.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
              connected(connecting.channel(), exchange);
              return;
            }
            String why = UpstreamTls.describe(h.cause());
            log.warn("TLS handshake with upstream {}:{} failed: {}", config.url().getHost(), config.port(), why);
            exchange.fail(new UpstreamException("upstream TLS handshake failed: " + why, true));
            connecting.channel().close(); // connectionClosed() then serves or fails the waiting
          });
        });
  }

  private void connected(Channel channel, Exchange exchange) {
    if (exchange.result.isDone()) {
      release(channel);
    } else {
      write(channel, exchange);
    }
  }

  private void write(Channel channel, Exchange exchange) {
    exchange.channel = channel;
    channel.attr(IN_FLIGHT).set(exchange);
    channel
        .writeAndFlush(encodeRequest(channel, exchange.body))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                channel.close();
              }
            });
  }

  /** The whole HTTP/1.1 request in one buffer: the pool's fixed head, the length, the body. */
  private ByteBuf encodeRequest(Channel channel, byte[] body) {
    String length = Integer.toString(body.length);
    ByteBuf request = channel.alloc().directBuffer(requestHead.length + length.length() + 4 + body.length);
    request.writeBytes(requestHead);
    request.writeCharSequence(length, StandardCharsets.ISO_8859_1);
    request.writeShort(CRLF).writeShort(CRLF);
    return request.writeBytes(body);
  }

  /** An answer arrived on {@code channel} for its in-flight exchange. */
  private void answered(Channel channel, FullHttpResponse response) {
    Exchange exchange = channel.attr(IN_FLIGHT).getAndSet(null);
    boolean keepAlive = HttpUtil.isKeepAlive(response);
    if (exchange != null && !exchange.result.isDone()) {
      try {
        exchange.succeed(UpstreamAnswers.fromHttp(response.status().code(), ByteBufUtil.getBytes(response.content())));
      } catch (UpstreamException e) {
        exchange.fail(e);
      }
    }
    if (keepAlive) {
      release(channel);
    } else {
      channel.close();
    }
  }

  /** The channel is free: give it to a waiting request or keep it idle. */
  private void release(Channel channel) {
    if (closed || !channel.isActive()) {
      channel.close();
      return;
    }
    Exchange next;
    while ((next = waiting.poll()) != null) {
      if (!next.result.isDone()) {
        next.onReusedConnection = true;
        write(channel, next);
        return;
      }
    }
    idle.addLast(channel);
  }

  private void connectionClosed(Channel channel) {
    open--;
    idle.remove(channel);
    Exchange exchange = channel.attr(IN_FLIGHT).getAndSet(null);
    if (exchange != null && !exchange.result.isDone()) {
      if (exchange.onReusedConnection && !exchange.retried && !closed) {
        // an idle keep-alive connection the server closed as we wrote to it: the request most
        // likely never ran, so try once more on a fresh connection (as HTTP clients do)
        exchange.retried = true;
        exchange.onReusedConnection = false;
        exchange.channel = null;
        connect(exchange);
      } else {
        exchange.fail(new UpstreamException("upstream closed the connection before answering", true));
      }
    }
    if (!closed && !waiting.isEmpty() && open < config.maxConnections()) {
      Exchange next = waiting.poll();
      if (next != null && !next.result.isDone()) {
        connect(next);
      }
    }
  }

  private void failWaitingIfNoConnection() {
    if (open > 0) {
      return;
    }
    Exchange next;
    while ((next = waiting.poll()) != null) {
      next.fail(new UpstreamException("upstream unreachable (connect failed)", true));
    }
  }

  private void timedOut(Exchange exchange) {
    if (exchange.result.isDone()) {
      return;
    }
    waiting.remove(exchange);
    exchange.result.completeExceptionally(
        new UpstreamException("upstream timed out after " + exchange.timeout.toMillis() + " ms", true));
    if (exchange.channel != null && exchange.channel.attr(IN_FLIGHT).get() == exchange) {
      exchange.channel.close(); // its answer may still come; the connection cannot be reused
    }
  }

  void close() {
    Runnable shutdown =
        () -> {
          closed = true;
          List<Channel> channels = new ArrayList<>(idle);
          idle.clear();
          channels.forEach(Channel::close);
          Exchange next;
          while ((next = waiting.poll()) != null) {
            next.fail(new UpstreamException("upstream client closed", true));
          }
        };
    if (loop.inEventLoop()) {
      shutdown.run();
    } else if (!loop.isShuttingDown()) {
      try {
        loop.submit(shutdown).syncUninterruptibly();
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the loop's owner shut it down first: its channels are closed with it
      }
    }
  }

  /** Number of open connections (for tests and metrics). Reads on the loop. */
  int openConnections() {
    if (!loop.inEventLoop() && loop.isShuttingDown()) {
      return 0;
    }
    return loop.inEventLoop() ? open : loop.submit(() -> open).syncUninterruptibly().getNow();
  }

  /** Fails the in-flight request as not retryable before the aggregator closes the connection. */
  private final class ResponseLimit extends HttpObjectAggregator {
    ResponseLimit(int maxResponseBytes) {
      super(maxResponseBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
      Exchange exchange = ctx.channel().attr(IN_FLIGHT).getAndSet(null);
      if (exchange != null) {
        exchange.fail(
            new UpstreamException("upstream response larger than " + config.maxResponseBytes() + " bytes", false));
      }
      super.handleOversizedMessage(ctx, oversized);
    }
  }

  private final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      answered(ctx.channel(), response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Exchange exchange = ctx.channel().attr(IN_FLIGHT).getAndSet(null);
      if (exchange != null && !exchange.result.isDone()) {
        if (cause instanceof TooLongFrameException) {
          exchange.fail(
              new UpstreamException(
                  "upstream response larger than " + config.maxResponseBytes() + " bytes", false));
        } else {
          log.debug("upstream connection failed: {}", cause.toString());
          exchange.fail(new UpstreamException("upstream connection failed", true));
        }
      }
      ctx.close();
    }
  }
}
