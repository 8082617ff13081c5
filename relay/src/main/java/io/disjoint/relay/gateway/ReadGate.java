package io.disjoint.relay.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/**
 * Holds back socket reads while the connection has enough work. Reading is on (auto-read) in the
 * common case, so a client that waits for each answer costs no change of the socket's interest
 * set per request; the gate turns auto-read off only while it is shut. The HTTP decoder and
 * aggregator ask for reads on their own (to finish a partial request), so the gate also holds
 * those back: pausing only the last handler would not stop a client that pipelines without
 * reading its answers. Sits near the head of the pipeline; confined to the channel's event loop.
 */
final class ReadGate extends ChannelOutboundHandlerAdapter {
  private ChannelHandlerContext context;
  private boolean open = true;
  private boolean readHeldBack;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.context = ctx;
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (open) {
      ctx.read();
    } else {
      readHeldBack = true;
    }
  }

  /** Opens or closes the gate; a read asked for while closed happens when it opens. */
  void setOpen(boolean open) {
    if (this.open == open) {
      return;
    }
    this.open = open;
    context.channel().config().setAutoRead(open);
    if (open && readHeldBack) {
      readHeldBack = false;
      context.read();
    }
  }

  boolean isOpen() {
    return open;
  }
}
