package io.disjoint.relay.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's end of one relay stream: decodes requests, hands them to the {@link RelayService}
 * (which answers asynchronously, so responses go out in completion order), and resets only this
 * stream when the gateway sends bytes that break the protocol.
 */
public final class RelayStreamServer extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RelayStreamServer.class);

  private final RelayService service;
  private final String remotePeer;
  private final Consumer<Channel> abort;
  private final int maxInFlight;
  private int inFlight;
  private boolean inputClosed;
  private boolean flushQueued;

  private RelayStreamServer(RelayService service, String remotePeer, Consumer<Channel> abort, int maxInFlight) {
    this.service = service;
    this.remotePeer = remotePeer;
    this.abort = abort;
    this.maxInFlight = maxInFlight;
  }

  /**
   * Installs the relay codec and this handler on an accepted stream.
   *
   * @param remotePeer the gateway's peer id text (for receipts and logs)
   * @param abort how to reset the stream on a protocol violation (e.g. {@code Stream::reset})
   */
  public static void install(Channel channel, RelayService service, String remotePeer, Consumer<Channel> abort, int maxInFlight) {
    channel.pipeline().addLast("relay-frame-decoder", new LengthPrefixedFrameDecoder(RelayProtocol.MAX_REQUEST_FRAME));
    channel.pipeline().addLast("relay-frame-encoder", LengthPrefixedFrameEncoder.INSTANCE);
    channel.pipeline().addLast("relay-server", new RelayStreamServer(service, remotePeer, abort, maxInFlight));
  }

  public static void install(Channel channel, RelayService service, String remotePeer) {
    install(channel, service, remotePeer, Channel::close, RelayProtocol.DEFAULT_MAX_IN_FLIGHT_PER_STREAM);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    RelayRequest request;
    try {
      request = RelayMessages.parseRequest((ByteBuf) msg);
    } finally {
      ReferenceCountUtil.release(msg);
    }
    Channel channel = ctx.channel();
    if (inFlight >= maxInFlight) {
      channel.write(RelayMessages.toWire(RelayResponse.failure(
          request.requestId(), RelayStatus.OVERLOADED, "more than " + maxInFlight + " requests in flight", -1, new byte[0])));
      flushSoon(channel);
      return;
    }
    inFlight++;
    service.handle(remotePeer, request).whenComplete((response, error) -> {
      if (channel.eventLoop().inEventLoop()) {
        reply(channel, request, response, error);
      } else {
        channel.eventLoop().execute(() -> reply(channel, request, response, error));
      }
    });
  }

  private void reply(Channel channel, RelayRequest request, RelayResponse response, Throwable error) {
    inFlight--;
    if (error != null) {
      log.error("relay service failed unexpectedly on {}", request, error);
      response = RelayResponse.failure(request.requestId(), RelayStatus.INTERNAL, "internal error", -1, new byte[0]);
    }
    if (channel.isActive()) {
      channel.write(RelayMessages.toWire(response));
      flushSoon(channel);
    }
  }

  /**
   * Flushes once the event loop has handled the I/O and tasks at hand, so that answers completed
   * together (upstream responses read in one turn of the loop) leave in one encrypted frame and
   * one system call. Closing after the last answer waits for that flush.
   */
  private void flushSoon(Channel channel) {
    if (!flushQueued) {
      flushQueued = true;
      channel.eventLoop().execute(() -> {
        flushQueued = false;
        channel.flush();
        closeIfDone(channel);
      });
    }
  }

  /** Once the gateway closed its side and every answer is out, close ours (FIN) so the stream is freed. */
  private void closeIfDone(Channel channel) {
    if (inputClosed && inFlight == 0 && !flushQueued) {
      channel.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputClosed = true;
      closeIfDone(ctx.channel());
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (root instanceof RelayProtocolException) {
      log.info("resetting relay stream from {}: {}", remotePeer, root.getMessage());
    } else {
      log.warn("relay stream from {} failed: {}", remotePeer, root.toString());
    }
    abort.accept(ctx.channel());
  }
}
