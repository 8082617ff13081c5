package io.disjoint.relay.directory;

import com.google.protobuf.CodedOutputStream;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.api.HostListener;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.relay.protocol.LengthPrefixedFrameDecoder;
import io.disjoint.relay.protocol.RelayProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs "/disjoint/hello/1.0.0" on a host: on every new connection (and again every
 * {@code resendInterval}, so heads stay fresh) it opens a stream, writes one signed hello and
 * closes; inbound hellos are verified against the stream's peer and applied to the directory.
 * Peers learned from hellos are forgotten when their last connection closes.
 */
public final class HelloService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HelloService.class);
  public static final Duration DEFAULT_RESEND_INTERVAL = Duration.ofSeconds(5);
  /** Hellos stamped further ahead of our clock are refused (they would block newer ones). */
  static final long MAX_CLOCK_SKEW_MS = 60_000;

  private final Host host;
  private final InMemoryPeerDirectory directory;
  private final FailureDomain ourDomain;
  private final Supplier<Map<String, Long>> ourHeads;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Duration resendInterval;
  private long lastTimestamp;
  private ScheduledFuture<?> resend;

  /**
   * @param ourHeads the chains this node serves and their current heads (empty for a pure gateway)
   */
  public HelloService(Host host, InMemoryPeerDirectory directory, FailureDomain ourDomain,
      Supplier<Map<String, Long>> ourHeads, Clock clock, ScheduledExecutorService scheduler, Duration resendInterval) {
    this.host = host;
    this.directory = directory;
    this.ourDomain = ourDomain;
    this.ourHeads = ourHeads;
    this.clock = clock;
    this.scheduler = scheduler;
    this.resendInterval = resendInterval;
  }

  public void start() {
    host.setStreamHandler(HelloCodec.PROTOCOL_ID, this::accept);
    host.addListener(new HostListener() {
      @Override
      public void onConnected(Connection connection) {
        sendTo(connection.remotePeer());
      }

      @Override
      public void onDisconnected(Connection connection) {
        PeerId peer = connection.remotePeer();
        boolean stillConnected = host.connections().stream().anyMatch(c -> c.isOpen() && c.remotePeer().equals(peer));
        if (!stillConnected) {
          directory.disconnected(peer.toBase58());
        }
      }
    });
    long ms = resendInterval.toMillis();
    resend = scheduler.scheduleAtFixedRate(this::sendToAll, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void sendToAll() {
    host.connections().stream().filter(Connection::isOpen).map(Connection::remotePeer).distinct().forEach(this::sendTo);
  }

  private synchronized byte[] nextHello() {
    long ts = Math.max(clock.millis(), lastTimestamp + 1);
    lastTimestamp = ts;
    return HelloCodec.sign(new HelloMessage(ts, ourHeads.get(), ourDomain), host.privKey());
  }

  /** Sends our hello to one peer now. */
  public void sendTo(PeerId peer) {
    byte[] signed = nextHello();
    host.newStream(peer, HelloCodec.PROTOCOL_ID).whenComplete((stream, e) -> {
      if (e != null) {
        log.debug("cannot send hello to {}: {}", peer, e.toString());
        return;
      }
      ByteBuf frame = stream.channel().alloc().buffer(CodedOutputStream.computeUInt32SizeNoTag(signed.length) + signed.length);
      writeUvarint(frame, signed.length);
      frame.writeBytes(signed);
      stream.channel().writeAndFlush(frame).addListener(f -> stream.closeWrite());
    });
  }

  private static void writeUvarint(ByteBuf out, int value) {
    while ((value & ~0x7f) != 0) {
      out.writeByte((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.writeByte(value);
  }

  private void accept(Stream stream) {
    PeerId remote = stream.remotePeer();
    stream.channel().pipeline().addLast(new LengthPrefixedFrameDecoder(HelloCodec.MAX_SIGNED_HELLO));
    stream.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
      private boolean done;

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        byte[] bytes;
        try {
          bytes = ByteBufUtil.getBytes((ByteBuf) msg);
        } finally {
          ReferenceCountUtil.release(msg);
        }
        if (done) {
          throw new RelayProtocolException("more than one hello on a stream");
        }
        done = true;
        HelloMessage hello = HelloCodec.verify(bytes, remote);
        if (hello.timestampUnixMs() > clock.millis() + MAX_CLOCK_SKEW_MS) {
          throw new RelayProtocolException("hello stamped " + (hello.timestampUnixMs() - clock.millis()) + " ms in the future");
        }
        directory.applyHello(remote.toBase58(), hello);
        stream.closeWrite();
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        log.info("bad hello from {}: {}", remote, root.getMessage());
        stream.reset();
      }
    });
  }

  @Override
  public void close() {
    if (resend != null) {
      resend.cancel(false);
    }
    host.removeStreamHandler(HelloCodec.PROTOCOL_ID);
  }
}
