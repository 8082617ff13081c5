package io.disjoint.relay.gateway;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Turns an HTTP connection into a JSON-RPC WebSocket session: handshake, then the pipeline stage
 * changes (HTTP handlers out; frame aggregation with the body limit, WebSocket idle timeout and
 * {@link WebSocketRpcHandler} in), auto-read on, and an outbound limit for slow readers.
 */
final class WebSocketUpgrade {
  private WebSocketUpgrade() {}

  static void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, ChainEndpoint chain, GatewayContext gateway) {
    GatewayConfig config = gateway.config();
    WebSocketDecoderConfig decoderConfig =
        WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(config.maxBodyBytes())
            .allowExtensions(false)
            .closeOnProtocolViolation(true)
            .build();
    String location = "ws://" + request.headers().get("Host", "localhost") + request.uri();
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(location, null, decoderConfig).newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ChannelPipeline pipeline = ctx.pipeline();
    String session = gateway.sessions().open(ctx.channel());
    pipeline.remove(SlowRequestGuard.class);
    pipeline.remove(ReadGate.class);
    pipeline.replace(
        IdleStateHandler.class,
        "ws-idle",
        new IdleStateHandler(0, 0, config.webSocketIdleTimeout().toMillis(), TimeUnit.MILLISECONDS));
    pipeline.addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(config.maxBodyBytes()));
    pipeline.replace(
        ctx.name(),
        "ws-rpc",
        new WebSocketRpcHandler(chain, gateway.dispatcher(), session, config.maxWebSocketInFlight()));
    ctx.channel()
        .config()
        .setWriteBufferWaterMark(
            new WriteBufferWaterMark(
                config.webSocketOutboundLimitBytes() / 2, config.webSocketOutboundLimitBytes()));
    handshaker
        .handshake(ctx.channel(), request)
        .addListener(
            f -> {
              if (f.isSuccess()) {
                ctx.channel().config().setAutoRead(true);
              } else {
                ctx.channel().close();
              }
            });
  }
}
