package io.disjoint.p2p.ping;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Responder side of "/ipfs/ping/1.0.0": echoes every complete 32-byte payload, and closes when the
 * remote half-closes.
 */
final class PingEchoHandler extends ChannelInboundHandlerAdapter {
  private ByteBuf partial;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    partial = ctx.alloc().buffer(PingService.PAYLOAD_BYTES, PingService.PAYLOAD_BYTES);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      boolean wrote = false;
      while (in.isReadable()) {
        int n = Math.min(in.readableBytes(), partial.writableBytes());
        partial.writeBytes(in, n);
        if (!partial.isWritable()) {
          ctx.write(partial.retainedDuplicate());
          partial.clear();
          wrote = true;
        }
      }
      if (wrote) {
        ctx.flush();
      }
    } finally {
      in.release();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      ctx.close();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (partial != null) {
      partial.release();
      partial = null;
    }
  }
}
