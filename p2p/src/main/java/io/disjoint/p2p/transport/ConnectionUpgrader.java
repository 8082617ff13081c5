package io.disjoint.p2p.transport;

import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.P2pException.Fault;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.p2p.multistream.MultistreamException;
import io.disjoint.p2p.multistream.MultistreamNegotiator;
import io.disjoint.p2p.noise.NoiseHandshakeComplete;
import io.disjoint.p2p.noise.NoiseHandshakeHandler;
import io.disjoint.p2p.yamux.YamuxConfig;
import io.disjoint.p2p.yamux.YamuxFrameDecoder;
import io.disjoint.p2p.yamux.YamuxSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades a raw TCP channel to a secured, multiplexed connection in stages: multistream selects
 * "/noise"; the Noise handshake authenticates the remote (and checks the dialed peer id); the
 * muxer is taken from the Noise extensions when both sides sent them, else selected with a second
 * multistream round for "/yamux/1.0.0"; then the Yamux session takes over. Each stage installs the
 * next behind itself and leaves; one timer bounds the whole handshake.
 */
public final class ConnectionUpgrader {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionUpgrader.class);
  public static final String NOISE = "/noise";
  public static final String YAMUX = "/yamux/1.0.0";
  private static final List<String> MUXERS = List.of(YAMUX);

  /** Who the Noise handshake proved the remote to be. */
  public record SecuredPeer(PeerId peerId, PubKey publicKey) {
    public SecuredPeer {
      Objects.requireNonNull(peerId, "peerId");
      Objects.requireNonNull(publicKey, "publicKey");
    }
  }

  /** Callbacks of one upgrade, all on the channel's event loop. */
  public interface Listener {
    /** Creates the session for an authenticated connection (its handler is added by the caller). */
    YamuxSession newSession(Channel channel, SecuredPeer peer);

    /** The session runs; the handshake timer is cancelled. */
    void upgraded(Channel channel, SecuredPeer peer, YamuxSession session);

    /** The upgrade failed; the channel is being closed. */
    void failed(Channel channel, P2pException cause);
  }

  private final PrivKey identity;
  private final YamuxConfig yamuxConfig;
  private final Duration handshakeTimeout;
  private final Duration idleTimeout;

  public ConnectionUpgrader(
      PrivKey identity, YamuxConfig yamuxConfig, Duration handshakeTimeout, Duration idleTimeout) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.yamuxConfig = Objects.requireNonNull(yamuxConfig, "yamuxConfig");
    this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
  }

  /** Installs the first stage; call from the channel initializer. */
  public void install(Channel channel, boolean initiator, Optional<PeerId> expectedRemote, Listener listener) {
    Attempt attempt = new Attempt(channel, initiator, expectedRemote, listener);
    if (!idleTimeout.isZero()) {
      channel.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
      channel.pipeline().addLast("idle-close", new IdleCloser(idleTimeout));
    }
    MultistreamNegotiator.Callback securitySelected = new MultistreamNegotiator.Callback() {
      @Override
      public void agreed(Channel ch, String protocol) {
        ch.pipeline().addAfter("security-select", "noise",
            new NoiseHandshakeHandler(identity, initiator, expectedRemote, MUXERS));
        ch.pipeline().addAfter("noise", "secured", new SecuredStage(attempt));
      }

      @Override
      public void failed(Channel ch, MultistreamException cause) {
        attempt.fail(cause);
      }
    };
    channel.pipeline().addLast("security-select", initiator
        ? MultistreamNegotiator.dialer(List.of(NOISE), securitySelected)
        : MultistreamNegotiator.listener(NOISE::equals, securitySelected));
    attempt.timer = channel.eventLoop().schedule(
        () -> attempt.fail(new UpgradeException(Fault.PEER,
            "handshake not finished within " + handshakeTimeout.toMillis() + " ms")),
        handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> attempt.fail(
        new UpgradeException(Fault.NONE, "connection closed during the handshake")));
  }

  private final class Attempt {
    final Channel channel;
    final boolean initiator;
    final Optional<PeerId> expectedRemote;
    final Listener listener;
    ScheduledFuture<?> timer;
    boolean finished;
    SecuredPeer peer;

    Attempt(Channel channel, boolean initiator, Optional<PeerId> expectedRemote, Listener listener) {
      this.channel = channel;
      this.initiator = initiator;
      this.expectedRemote = expectedRemote;
      this.listener = listener;
    }

    void fail(P2pException cause) {
      if (finished) {
        return;
      }
      finished = true;
      if (timer != null) {
        timer.cancel(false);
      }
      LOG.debug("connection upgrade with {} failed: {}", channel.remoteAddress(), cause.getMessage());
      try {
        listener.failed(channel, cause);
      } finally {
        channel.close();
      }
    }

    void installYamux(String afterHandler) {
      if (finished) {
        return;
      }
      YamuxSession session = listener.newSession(channel, peer);
      channel.pipeline().addAfter(afterHandler, "yamux-frames",
          new YamuxFrameDecoder(yamuxConfig.maxStreamWindow(), session::checkHeader));
      channel.pipeline().addAfter("yamux-frames", "yamux", session);
      finished = true;
      timer.cancel(false);
      listener.upgraded(channel, peer, session);
    }
  }

  /** Sits behind the Noise handler: picks the muxer and holds early bytes until it is installed. */
  private final class SecuredStage extends ChannelDuplexHandler {
    private final Attempt attempt;
    private final ArrayDeque<Object> early = new ArrayDeque<>();

    SecuredStage(Attempt attempt) {
      this.attempt = attempt;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (!(evt instanceof NoiseHandshakeComplete done)) {
        ctx.fireUserEventTriggered(evt);
        return;
      }
      // The handshake handler is still in the pipeline (and swallows writes) while it fires this
      // event; continue once it has removed itself. Bytes arriving meanwhile wait in `early`.
      ctx.executor().execute(() -> secured(ctx, done));
    }

    private void secured(ChannelHandlerContext ctx, NoiseHandshakeComplete done) {
      if (attempt.finished || ctx.isRemoved()) {
        return;
      }
      if (attempt.expectedRemote.isPresent() && !attempt.expectedRemote.get().equals(done.remotePeer())) {
        attempt.fail(new UpgradeException(Fault.PEER, "dialed " + attempt.expectedRemote.get()
            + " but the remote authenticated as " + done.remotePeer()));
        return;
      }
      attempt.peer = new SecuredPeer(done.remotePeer(), done.remoteKey());
      if (!done.remoteMuxers().isEmpty()) {
        if (!done.remoteMuxers().contains(YAMUX)) {
          attempt.fail(new UpgradeException(Fault.PEER, "no common stream muxer in " + done.remoteMuxers()));
          return;
        }
        attempt.installYamux(ctx.name());
      } else {
        MultistreamNegotiator.Callback muxerSelected = new MultistreamNegotiator.Callback() {
          @Override
          public void agreed(Channel ch, String protocol) {
            attempt.installYamux("muxer-select");
          }

          @Override
          public void failed(Channel ch, MultistreamException cause) {
            attempt.fail(cause);
          }
        };
        ctx.pipeline().addAfter(ctx.name(), "muxer-select", attempt.initiator
            ? MultistreamNegotiator.dialer(MUXERS, muxerSelected)
            : MultistreamNegotiator.listener(YAMUX::equals, muxerSelected));
      }
      ctx.pipeline().remove(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      early.add(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      attempt.fail(cause instanceof P2pException p ? p
          : new UpgradeException(Fault.PEER, "handshake failed: " + cause, cause));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      Object msg;
      boolean forwarded = false;
      while ((msg = early.poll()) != null) {
        if (attempt.finished && !ctx.channel().isActive()) {
          io.netty.util.ReferenceCountUtil.release(msg);
        } else {
          ctx.fireChannelRead(msg);
          forwarded = true;
        }
      }
      if (forwarded) {
        ctx.fireChannelReadComplete();
      }
    }
  }

  /** Closes a connection on which nothing was read or written for the idle timeout. */
  private static final class IdleCloser extends ChannelInboundHandlerAdapter {
    private final Duration idleTimeout;

    IdleCloser(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        LOG.debug("closing {}: idle for {}", ctx.channel(), idleTimeout);
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }
  }
}
