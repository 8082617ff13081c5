package io.disjoint.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/** Two Yamux sessions on EmbeddedChannels, with the bytes shuttled between them by hand. */
final class YamuxTestSupport {
  private YamuxTestSupport() {}

  /** Collects the bytes and events that reach the end of a stream pipeline. */
  static final class StreamSink extends ChannelInboundHandlerAdapter {
    final ByteBuf received = Unpooled.buffer();
    final List<Object> events = new ArrayList<>();
    boolean inactive;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      received.writeBytes(buf);
      buf.release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      events.add(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      inactive = true;
    }
  }

  static final class Side {
    final EmbeddedChannel channel;
    final YamuxSession session;
    final List<YamuxStreamChannel> accepted = new ArrayList<>();
    final List<StreamSink> sinks = new ArrayList<>();

    Side(YamuxConfig config, boolean initiator, boolean autoRead) {
      channel = new EmbeddedChannel();
      session = new YamuxSession(config, initiator, stream -> {
        StreamSink sink = new StreamSink();
        stream.config().setAutoRead(autoRead);
        stream.pipeline().addLast(sink);
        accepted.add(stream);
        sinks.add(sink);
      });
      channel.pipeline().addLast(new YamuxFrameDecoder(config.maxStreamWindow(), session::checkHeader), session);
    }
  }

  /** Moves all pending bytes from each side to the other until neither has anything to send. */
  static void shuttle(Side a, Side b) {
    boolean moved = true;
    while (moved) {
      moved = move(a.channel, b.channel) | move(b.channel, a.channel);
    }
  }

  static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
    from.runPendingTasks();
    boolean moved = false;
    ByteBuf out;
    while ((out = from.readOutbound()) != null) {
      moved = true;
      if (to.isActive()) {
        to.writeInbound(out);
      } else {
        out.release();
      }
    }
    return moved;
  }

  static ByteBuf frame(YamuxFrameType type, int flags, int streamId, long length, byte[] data) {
    ByteBuf buf = Unpooled.buffer();
    YamuxFrame.writeHeader(buf, type, flags, streamId, length);
    if (data != null) {
      buf.writeBytes(data);
    }
    return buf;
  }

  /** Decodes everything the channel wrote into frames (payloads copied, originals released). */
  static List<YamuxFrame> writtenFrames(EmbeddedChannel ch) {
    EmbeddedChannel decoder = new EmbeddedChannel(new YamuxFrameDecoder(1 << 24));
    ByteBuf out;
    while ((out = ch.readOutbound()) != null) {
      decoder.writeInbound(out);
    }
    List<YamuxFrame> frames = new ArrayList<>();
    Object f;
    while ((f = decoder.readInbound()) != null) {
      YamuxFrame frame = (YamuxFrame) f;
      frames.add(new YamuxFrame(frame.type(), frame.flags(), frame.streamId(), frame.length(),
          Unpooled.copiedBuffer(frame.data())));
      frame.release();
    }
    decoder.finishAndReleaseAll();
    return frames;
  }
}
