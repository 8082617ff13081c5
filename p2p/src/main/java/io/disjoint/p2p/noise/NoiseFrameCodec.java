package io.disjoint.p2p.noise;

import io.disjoint.p2p.P2pException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Noise transport framing after the handshake: every frame is a 2-byte big-endian length followed
 * by that many bytes of ChaCha20-Poly1305 ciphertext (plaintext of at most 65519 bytes plus the
 * 16-byte tag).
 *
 * <p>Inbound: frames are decrypted into pooled heap buffers and fired one per frame; a frame split
 * across reads is gathered in a buffer sized to that frame. Outbound: written buffers are held
 * until flush (or until a full frame's worth is pending), then encrypted into as few frames as
 * possible inside one buffer, so that many small writes (a muxer header, then its data) cost one
 * frame and one socket write.
 */
public final class NoiseFrameCodec extends ChannelDuplexHandler {
  public static final String NAME = "noise-frames";
  public static final int MAX_FRAME_LENGTH = 65535;
  public static final int MAX_PLAINTEXT_PER_FRAME = MAX_FRAME_LENGTH - CipherState.TAG_LENGTH;
  private static final int LENGTH_PREFIX = 2;
  private static final int FRAME_OVERHEAD = LENGTH_PREFIX + CipherState.TAG_LENGTH;
  private static final Logger LOG = LoggerFactory.getLogger(NoiseFrameCodec.class);

  private final CipherState sender;
  private final CipherState receiver;
  private ByteBuf partialFrame;
  private boolean failed;
  private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();
  private long pendingBytes;

  private record PendingWrite(ByteBuf data, ChannelPromise promise) {}

  public NoiseFrameCodec(CipherState sender, CipherState receiver) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.receiver = Objects.requireNonNull(receiver, "receiver");
    if (!sender.hasKey() || !receiver.hasKey()) {
      throw new IllegalArgumentException("transport cipher states need keys");
    }
  }

  // ---------------------------------------------------------------- inbound

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (!failed) {
        decode(ctx, in);
      }
    } catch (NoiseException e) {
      failInbound(ctx, e);
    } finally {
      in.release();
    }
  }

  private void decode(ChannelHandlerContext ctx, ByteBuf in) {
    while (in.isReadable() && !failed) {
      if (partialFrame != null) {
        if (!completePartialFrame(ctx, in)) {
          return;
        }
        continue;
      }
      int readable = in.readableBytes();
      if (readable < LENGTH_PREFIX) {
        startPartialFrame(ctx, in, LENGTH_PREFIX + CipherState.TAG_LENGTH);
        return;
      }
      int frameLength = frameLength(in);
      if (readable < LENGTH_PREFIX + frameLength) {
        startPartialFrame(ctx, in, LENGTH_PREFIX + frameLength);
        return;
      }
      decryptFrame(ctx, in, frameLength);
    }
  }

  /** Copies as much of the current frame as {@code in} holds; returns true if the frame was decoded. */
  private boolean completePartialFrame(ChannelHandlerContext ctx, ByteBuf in) {
    if (partialFrame.readableBytes() < LENGTH_PREFIX) {
      int need = LENGTH_PREFIX - partialFrame.readableBytes();
      partialFrame.writeBytes(in, Math.min(need, in.readableBytes()));
      if (partialFrame.readableBytes() < LENGTH_PREFIX) {
        return false;
      }
    }
    int frameLength = frameLength(partialFrame);
    int need = LENGTH_PREFIX + frameLength - partialFrame.readableBytes();
    partialFrame.ensureWritable(need);
    partialFrame.writeBytes(in, Math.min(need, in.readableBytes()));
    if (partialFrame.readableBytes() < LENGTH_PREFIX + frameLength) {
      return false;
    }
    ByteBuf frame = partialFrame;
    partialFrame = null;
    try {
      decryptFrame(ctx, frame, frameLength);
    } finally {
      frame.release();
    }
    return true;
  }

  private void startPartialFrame(ChannelHandlerContext ctx, ByteBuf in, int expectedSize) {
    partialFrame = ctx.alloc().heapBuffer(Math.max(expectedSize, in.readableBytes()), LENGTH_PREFIX + MAX_FRAME_LENGTH);
    partialFrame.writeBytes(in);
  }

  private static int frameLength(ByteBuf buf) {
    int length = buf.getUnsignedShort(buf.readerIndex());
    if (length < CipherState.TAG_LENGTH) {
      throw NoiseException.peer("Noise frame of " + length + " bytes is shorter than its 16-byte tag");
    }
    return length;
  }

  private void decryptFrame(ChannelHandlerContext ctx, ByteBuf src, int frameLength) {
    src.skipBytes(LENGTH_PREFIX);
    int plainLength = frameLength - CipherState.TAG_LENGTH;
    ByteBuf plain = ctx.alloc().heapBuffer(plainLength);
    try {
      ByteBuffer out = plain.nioBuffer(plain.writerIndex(), plainLength);
      receiver.decrypt(src.nioBuffer(src.readerIndex(), frameLength), out);
      plain.writerIndex(plain.writerIndex() + plainLength);
    } catch (RuntimeException e) {
      plain.release();
      throw e;
    }
    src.skipBytes(frameLength);
    if (plainLength == 0) {
      plain.release();
      return;
    }
    ctx.fireChannelRead(plain);
  }

  private void failInbound(ChannelHandlerContext ctx, NoiseException e) {
    failed = true;
    releasePartialFrame();
    LOG.debug("closing {}: {}", ctx.channel(), e.getMessage());
    ctx.fireExceptionCaught(e);
    ctx.close();
  }

  // ---------------------------------------------------------------- outbound

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buf)) {
      io.netty.util.ReferenceCountUtil.release(msg);
      promise.setFailure(new P2pException(P2pException.Fault.LOCAL,
          "Noise transport accepts only ByteBuf writes, got " + msg.getClass().getName()));
      return;
    }
    pending.add(new PendingWrite(buf, promise));
    pendingBytes += buf.readableBytes();
    if (pendingBytes >= MAX_PLAINTEXT_PER_FRAME) {
      encryptPending(ctx);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    encryptPending(ctx);
    ctx.flush();
  }

  private void encryptPending(ChannelHandlerContext ctx) {
    if (pending.isEmpty()) {
      return;
    }
    List<ChannelPromise> promises = new ArrayList<>(pending.size());
    long total = pendingBytes;
    int frames = (int) ((total + MAX_PLAINTEXT_PER_FRAME - 1) / MAX_PLAINTEXT_PER_FRAME);
    ByteBuf out = ctx.alloc().heapBuffer((int) (total + (long) frames * FRAME_OVERHEAD));
    try {
      ByteBuffer outNio = out.nioBuffer(0, out.capacity());
      PendingWrite current = pending.peek();
      long remaining = total;
      while (remaining > 0) {
        int frameData = (int) Math.min(MAX_PLAINTEXT_PER_FRAME, remaining);
        outNio.putShort((short) (frameData + CipherState.TAG_LENGTH));
        while (!current.data.isReadable()) {
          retire(promises);
          current = pending.peek();
        }
        if (current.data.readableBytes() >= frameData && current.data.nioBufferCount() == 1) {
          // the common case: the whole frame comes from one buffer, encrypt it in one call
          ByteBuf data = current.data;
          sender.encrypt(data.nioBuffer(data.readerIndex(), frameData), outNio);
          data.skipBytes(frameData);
          remaining -= frameData;
          continue;
        }
        sender.encryptStart();
        int left = frameData;
        while (left > 0) {
          while (!current.data.isReadable()) {
            retire(promises);
            current = pending.peek();
          }
          int n = Math.min(left, current.data.readableBytes());
          ByteBuf data = current.data;
          if (data.nioBufferCount() == 1) {
            sender.encryptUpdate(data.nioBuffer(data.readerIndex(), n), outNio);
          } else {
            for (ByteBuffer part : data.nioBuffers(data.readerIndex(), n)) {
              sender.encryptUpdate(part, outNio);
            }
          }
          data.skipBytes(n);
          left -= n;
        }
        sender.encryptFinish(outNio);
        remaining -= frameData;
      }
      while (!pending.isEmpty()) {
        retire(promises); // the drained last buffers and any empty writes
      }
      pendingBytes = 0;
      out.writerIndex(outNio.position());
    } catch (RuntimeException e) {
      out.release();
      failPending(e);
      for (ChannelPromise p : promises) {
        p.tryFailure(e);
      }
      throw e;
    }
    if (!out.isReadable()) {
      out.release();
      promises.forEach(ChannelPromise::trySuccess);
      return;
    }
    ChannelPromise writePromise = ctx.newPromise();
    writePromise.addListener(f -> {
      for (ChannelPromise p : promises) {
        if (f.isSuccess()) {
          p.trySuccess();
        } else {
          p.tryFailure(f.cause());
        }
      }
    });
    ctx.write(out, writePromise);
  }

  private void retire(List<ChannelPromise> promises) {
    PendingWrite done = pending.poll();
    done.data.release();
    promises.add(done.promise);
  }

  private void failPending(Throwable cause) {
    PendingWrite w;
    while ((w = pending.poll()) != null) {
      w.data.release();
      w.promise.tryFailure(cause);
    }
    pendingBytes = 0;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releasePartialFrame();
    failPending(new ClosedChannelException());
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releasePartialFrame();
    failPending(new ClosedChannelException());
  }

  private void releasePartialFrame() {
    if (partialFrame != null) {
      partialFrame.release();
      partialFrame = null;
    }
  }
}
