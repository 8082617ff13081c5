package io.disjoint.relay.gateway;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Aggregates request bodies up to the limit and answers larger ones with HTTP 413 and a JSON-RPC
 * error body. After answering it half-closes and keeps discarding the body for a moment, so the
 * client reads the 413 instead of a connection reset, then closes.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
  private static final long LINGER_MILLIS = 2_000;

  private final Supplier<FullHttpResponse> tooLarge;
  private final Runnable onRejected;

  BodyLimitAggregator(int maxBodyBytes, Supplier<FullHttpResponse> tooLarge, Runnable onRejected) {
    super(maxBodyBytes);
    this.tooLarge = tooLarge;
    this.onRejected = onRejected;
  }

  @Override
  protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    if (HttpUtil.is100ContinueExpected(start)
        && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
      onRejected.run();
      return tooLarge.get(); // the client has not sent the body: nothing to drain
    }
    return super.newContinueResponse(start, maxContentLength, pipeline);
  }

  @Override
  protected boolean closeAfterContinueResponse(Object msg) {
    return msg instanceof FullHttpResponse response && response.status().code() == 413
        || super.closeAfterContinueResponse(msg);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    if (!(oversized instanceof HttpRequest)) {
      super.handleOversizedMessage(ctx, oversized);
      return;
    }
    onRejected.run();
    ctx.writeAndFlush(tooLarge.get())
        .addListener(
            f -> {
              if (!f.isSuccess() || !(ctx.channel() instanceof DuplexChannel duplex)) {
                ctx.close();
                return;
              }
              duplex.shutdownOutput();
              ctx.channel().config().setAutoRead(true);
              ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            });
  }
}
