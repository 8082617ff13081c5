package io.disjoint.p2p.identify;

import io.disjoint.p2p.P2pException.Fault;
import io.disjoint.p2p.yamux.YamuxStreamEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * Collects a stream's bytes until the remote half-closes (or closes), up to a limit, and completes
 * with a copy of them. Over the limit it resets the stream and fails.
 */
final class ReadToEndHandler extends ChannelInboundHandlerAdapter {
  private final int maxBytes;
  private final CompletableFuture<byte[]> result;
  private ByteBuf collected;

  ReadToEndHandler(int maxBytes, CompletableFuture<byte[]> result) {
    this.maxBytes = maxBytes;
    this.result = result;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    collected = ctx.alloc().buffer(256);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (result.isDone()) {
        return;
      }
      if (collected.readableBytes() + in.readableBytes() > maxBytes) {
        result.completeExceptionally(new IdentifyException(Fault.PEER,
            "message larger than " + maxBytes + " bytes"));
        ((io.disjoint.p2p.yamux.YamuxStreamChannel) ctx.channel()).reset();
        return;
      }
      collected.writeBytes(in);
    } finally {
      in.release();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      finish();
      ctx.close();
    } else if (evt == YamuxStreamEvent.REMOTE_RESET) {
      result.completeExceptionally(new IdentifyException(Fault.PEER, "remote reset the stream"));
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    result.completeExceptionally(new IdentifyException(Fault.NONE, "stream closed before the remote finished"));
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (collected != null) {
      collected.release();
      collected = null;
    }
  }

  private void finish() {
    if (!result.isDone() && collected != null) {
      byte[] bytes = new byte[collected.readableBytes()];
      collected.getBytes(collected.readerIndex(), bytes);
      result.complete(bytes);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    result.completeExceptionally(cause);
    ctx.close();
  }
}
