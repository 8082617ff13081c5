package io.disjoint.relay.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC over one WebSocket: every text message is a body (single or batch) answered with one
 * text message. Requests run concurrently (answers carry their ids, so order does not matter);
 * reading pauses while {@code maxInFlight} are outstanding, so a client cannot pile up work.
 */
final class WebSocketRpcHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(WebSocketRpcHandler.class);

  private final ChainEndpoint chain;
  private final RpcDispatcher dispatcher;
  private final String session;
  private final int maxInFlight;
  private int inFlight;

  WebSocketRpcHandler(ChainEndpoint chain, RpcDispatcher dispatcher, String session, int maxInFlight) {
    this.chain = chain;
    this.dispatcher = dispatcher;
    this.session = session;
    this.maxInFlight = maxInFlight;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    switch (frame) {
      case TextWebSocketFrame text -> handleText(ctx, text);
      case PingWebSocketFrame ping -> ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
      case PongWebSocketFrame pong -> {}
      case CloseWebSocketFrame close ->
          ctx.writeAndFlush(close.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
      case BinaryWebSocketFrame binary ->
          closeWith(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "send JSON-RPC as text messages");
      default -> closeWith(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "unexpected frame");
    }
  }

  private void handleText(ChannelHandlerContext ctx, TextWebSocketFrame text) {
    byte[] body = ByteBufUtil.getBytes(text.content());
    inFlight++;
    resumeIfRoom(ctx);
    dispatcher.dispatch(
        chain,
        body,
        Optional.of(session),
        ctx.executor(),
        ctx.alloc(),
        new RpcDispatcher.Reply() {
          @Override
          public void send(ByteBuf json) {
            if (ctx.channel().isActive()) {
              ctx.writeAndFlush(new TextWebSocketFrame(json));
            } else {
              json.release();
            }
            done(ctx);
          }

          @Override
          public void nothing() {
            done(ctx);
          }
        });
  }

  private void done(ChannelHandlerContext ctx) {
    inFlight--;
    resumeIfRoom(ctx);
  }

  /** Reads on only with room for more requests and answers drained below the high water mark. */
  private void resumeIfRoom(ChannelHandlerContext ctx) {
    boolean room = inFlight < maxInFlight && ctx.channel().isWritable();
    if (room != ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(room);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    resumeIfRoom(ctx);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      closeWith(ctx, WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle");
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      closeWith(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "message larger than the gateway's limit");
    } else if (cause instanceof CorruptedFrameException) {
      closeWith(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "malformed WebSocket frame");
    } else {
      log.debug("WebSocket session {} failed: {}", session, cause.toString());
      ctx.close();
    }
  }

  private static void closeWith(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
    if (!ctx.channel().isActive()) {
      return;
    }
    ctx.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
  }
}
