package io.disjoint.p2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Test sink after the Noise handlers: records plaintext (releasing it), events and exceptions in order. */
final class Capture extends ChannelInboundHandlerAdapter {
  final ByteArrayOutputStream data = new ByteArrayOutputStream();
  final List<Object> events = new ArrayList<>();
  final List<Throwable> exceptions = new ArrayList<>();
  /** "data" and "event" entries in arrival order. */
  final List<String> order = new ArrayList<>();
  final List<ByteBuf> received = new ArrayList<>();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    data.writeBytes(bytes);
    order.add("data");
    received.add(buf);
    buf.release();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    events.add(evt);
    order.add("event");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    exceptions.add(cause);
  }

  byte[] bytes() {
    return data.toByteArray();
  }
}
