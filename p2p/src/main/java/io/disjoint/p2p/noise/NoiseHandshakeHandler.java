package io.disjoint.p2p.noise;

import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the libp2p Noise XX handshake (noise/README.md) on a channel, after multistream-select has
 * agreed on {@value #PROTOCOL_ID}. Handshake messages are framed like transport messages (2-byte
 * big-endian length). The initiator sends its first message as soon as it is added to an active
 * channel (or when the channel becomes active).
 *
 * <p>On success it installs {@link NoiseFrameCodec} as {@value NoiseFrameCodec#NAME} in its place,
 * passes any bytes that arrived after the last handshake message through that codec, then fires
 * {@link NoiseHandshakeComplete} as a user event and completes {@link #handshakeFuture()}. On
 * failure (bad signature, unexpected peer id, undecryptable message) it fires a {@link
 * NoiseException} through {@code exceptionCaught} and closes the channel. It sets no timeout: the
 * host adds one. Writes from other handlers before completion are refused.
 */
public final class NoiseHandshakeHandler extends ChannelDuplexHandler {
  public static final String PROTOCOL_ID = "/noise";
  private static final Logger LOG = LoggerFactory.getLogger(NoiseHandshakeHandler.class);
  private static final SecureRandom SHARED_RANDOM = new SecureRandom();
  private static final int LENGTH_PREFIX = 2;

  private final PrivKey identity;
  private final boolean initiator;
  private final Optional<PeerId> expectedRemote;
  private final List<String> localMuxers;
  private final HandshakeState handshake;
  private final CompletableFuture<NoiseHandshakeComplete> future = new CompletableFuture<>();
  private ByteBuf received;
  private boolean started;
  private boolean done;

  public NoiseHandshakeHandler(
      PrivKey identity, boolean initiator, Optional<PeerId> expectedRemote, List<String> localMuxers) {
    this(identity, initiator, expectedRemote, localMuxers, SHARED_RANDOM);
  }

  public NoiseHandshakeHandler(
      PrivKey identity,
      boolean initiator,
      Optional<PeerId> expectedRemote,
      List<String> localMuxers,
      SecureRandom random) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.initiator = initiator;
    this.expectedRemote = Objects.requireNonNull(expectedRemote, "expectedRemote");
    this.localMuxers = List.copyOf(localMuxers);
    Objects.requireNonNull(random, "random");
    // libp2p: a fresh static X25519 key per session, bound to the identity by the payload signature
    this.handshake = new HandshakeState(initiator, new byte[0], X25519.generate(random), () -> X25519.generate(random));
  }

  /** Completes with the remote identity, or exceptionally with a {@link NoiseException}. */
  public CompletableFuture<NoiseHandshakeComplete> handshakeFuture() {
    return future;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (started || !initiator) {
      started = true;
      return;
    }
    started = true;
    try {
      sendMessage(ctx, new byte[0]); // -> e (the libp2p first message carries no payload)
    } catch (NoiseException e) {
      fail(ctx, e);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (done || !(msg instanceof ByteBuf in)) {
      if (done) {
        ReferenceCountUtil.release(msg); // the handshake failed; nothing more is read
      } else {
        ctx.fireChannelRead(msg);
      }
      return;
    }
    try {
      if (received == null) {
        received = ctx.alloc().heapBuffer(Math.max(256, in.readableBytes()));
      }
      received.writeBytes(in);
    } finally {
      in.release();
    }
    // Every complete message is consumed at once and XX alternates turns, so at most one partial
    // message (<= 65537 bytes) stays buffered; data after the last message goes to the codec.
    try {
      while (!done && received.readableBytes() >= LENGTH_PREFIX) {
        int length = received.getUnsignedShort(received.readerIndex());
        if (received.readableBytes() < LENGTH_PREFIX + length) {
          return;
        }
        received.skipBytes(LENGTH_PREFIX);
        byte[] message = new byte[length];
        received.readBytes(message);
        onMessage(ctx, message);
      }
    } catch (NoiseException e) {
      fail(ctx, e);
    }
  }

  private void onMessage(ChannelHandlerContext ctx, byte[] message) {
    if (handshake.isMyTurn()) {
      throw NoiseException.peer("peer sent a Noise message out of turn");
    }
    byte[] payload = handshake.readMessage(message);
    if (initiator) {
      // <- e, ee, s, es with the responder's identity
      HandshakePayload remote = verifyRemote(payload);
      sendMessage(ctx, HandshakePayload.sign(identity, handshake.localStaticPublicKey(), localMuxers).encode());
      complete(ctx, remote);
    } else if (!handshake.isComplete()) {
      // -> e: answer with our identity
      sendMessage(ctx, HandshakePayload.sign(identity, handshake.localStaticPublicKey(), localMuxers).encode());
    } else {
      // -> s, se with the initiator's identity
      complete(ctx, verifyRemote(payload));
    }
  }

  private HandshakePayload verifyRemote(byte[] payloadBytes) {
    HandshakePayload remote = HandshakePayload.decode(payloadBytes);
    if (!remote.verifies(handshake.remoteStaticKey())) {
      throw NoiseException.peer("bad identity signature from " + remote.identityKey().peerId()
          + " over its Noise static key");
    }
    PeerId remotePeer = remote.identityKey().peerId();
    if (expectedRemote.isPresent() && !expectedRemote.get().equals(remotePeer)) {
      throw NoiseException.peer("dialed " + expectedRemote.get() + " but remote is " + remotePeer);
    }
    return remote;
  }

  private void sendMessage(ChannelHandlerContext ctx, byte[] payload) {
    byte[] message = handshake.writeMessage(payload);
    ByteBuf frame = ctx.alloc().buffer(LENGTH_PREFIX + message.length);
    frame.writeShort(message.length);
    frame.writeBytes(message);
    ctx.writeAndFlush(frame).addListener(f -> {
      if (!f.isSuccess() && !done) {
        fail(ctx, new NoiseException(P2pException.Fault.NONE, "writing a Noise handshake message failed", f.cause()));
      }
    });
  }

  private void complete(ChannelHandlerContext ctx, HandshakePayload remote) {
    done = true;
    CipherState[] ciphers = handshake.split();
    NoiseHandshakeComplete event = new NoiseHandshakeComplete(
        remote.identityKey().peerId(), remote.identityKey(), remote.streamMuxers());
    ctx.pipeline().addAfter(ctx.name(), NoiseFrameCodec.NAME, new NoiseFrameCodec(ciphers[0], ciphers[1]));
    ByteBuf leftover = received;
    received = null;
    // Leave the pipeline first, so that handlers reacting to the event can already write through
    // the codec. A removed context still forwards to its old successor, the codec.
    ctx.pipeline().remove(this);
    if (leftover != null && leftover.isReadable()) {
      ctx.fireChannelRead(leftover);
    } else if (leftover != null) {
      leftover.release();
    }
    ctx.fireUserEventTriggered(event);
    LOG.debug("Noise handshake with {} complete on {}", event.remotePeer(), ctx.channel());
    future.complete(event);
  }

  private void fail(ChannelHandlerContext ctx, NoiseException e) {
    if (done) {
      return;
    }
    done = true;
    releaseReceived();
    LOG.debug("Noise handshake failed on {}: {}", ctx.channel(), e.getMessage());
    future.completeExceptionally(e);
    ctx.fireExceptionCaught(e);
    ctx.close();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ReferenceCountUtil.release(msg);
    promise.setFailure(new NoiseException(P2pException.Fault.LOCAL, "write before the Noise handshake completed"));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!done) {
      done = true;
      future.completeExceptionally(
          new NoiseException(P2pException.Fault.NONE, "connection closed during the Noise handshake"));
    }
    releaseReceived();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseReceived();
  }

  private void releaseReceived() {
    if (received != null) {
      received.release();
      received = null;
    }
  }
}
