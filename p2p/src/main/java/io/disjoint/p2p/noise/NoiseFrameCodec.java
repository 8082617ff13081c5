package io.disjoint.p2p.noise;

import io.disjoint.p2p.P2pException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
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
 * <p>Inbound, an explicit state machine (length, then body): each frame's ciphertext is copied once
 * from the socket's buffer into a pooled heap buffer of exactly the frame's size, decrypted there in
 * place and fired as that buffer, one per frame.
 *
 * <p>Outbound: written buffers are held until flush (or until a full frame's worth is pending),
 * then encrypted into as few frames as possible inside one heap buffer, so that many small writes
 * cost one frame and one socket write. A write that fits in a frame is never split across two:
 * when it does not fit in the rest of the current frame, that frame ends early. A muxer that writes
 * each of its frames as one buffer (Yamux does) thus gets its frames aligned with Noise frames, and
 * the remote's muxer decodes them from the decrypted buffer without gathering across frames.
 */
public final class NoiseFrameCodec extends ChannelDuplexHandler {
  public static final String NAME = "noise-frames";
  public static final int MAX_FRAME_LENGTH = 65535;
  public static final int MAX_PLAINTEXT_PER_FRAME = MAX_FRAME_LENGTH - CipherState.TAG_LENGTH;
  private static final int LENGTH_PREFIX = 2;
  private static final int FRAME_OVERHEAD = LENGTH_PREFIX + CipherState.TAG_LENGTH;
  private static final Logger LOG = LoggerFactory.getLogger(NoiseFrameCodec.class);

  private enum State {
    /** Reading the 2-byte length; {@link #lengthHighByte} holds the first byte once it arrived. */
    LENGTH,
    /** Gathering {@link #frameLength} bytes of ciphertext and tag into {@link #body}. */
    BODY,
    /** A frame failed; everything after it is dropped. */
    FAILED
  }

  private final CipherState sender;
  private final CipherState receiver;
  private State state = State.LENGTH;
  private int lengthHighByte = -1;
  private int frameLength;
  private ByteBuf body;
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
      decode(ctx, in);
    } catch (NoiseException e) {
      failInbound(ctx, e);
    } finally {
      in.release();
    }
  }

  private void decode(ChannelHandlerContext ctx, ByteBuf in) {
    while (in.isReadable()) {
      switch (state) {
        case FAILED -> {
          return;
        }
        case LENGTH -> readLength(ctx, in);
        case BODY -> {
          int n = Math.min(in.readableBytes(), frameLength - body.readableBytes());
          in.readBytes(body, n);
          if (body.readableBytes() == frameLength) {
            ByteBuf frame = body;
            body = null;
            state = State.LENGTH;
            decryptAndFire(ctx, frame);
          }
        }
      }
    }
  }

  private void readLength(ChannelHandlerContext ctx, ByteBuf in) {
    if (lengthHighByte >= 0) {
      frameLength = (lengthHighByte << 8) | in.readUnsignedByte();
      lengthHighByte = -1;
    } else if (in.readableBytes() >= LENGTH_PREFIX) {
      frameLength = in.readUnsignedShort();
    } else {
      lengthHighByte = in.readUnsignedByte();
      return;
    }
    if (frameLength < CipherState.TAG_LENGTH) {
      throw NoiseException.peer("Noise frame of " + frameLength + " bytes is shorter than its 16-byte tag");
    }
    body = heapBuffer(ctx.alloc(), frameLength);
    state = State.BODY;
  }

  /** Decrypts {@code frame} (ciphertext and tag, nothing else) in place and passes it on. */
  private void decryptAndFire(ChannelHandlerContext ctx, ByteBuf frame) {
    int plainLength;
    try {
      plainLength = receiver.decryptInPlace(frame.array(), frame.arrayOffset() + frame.readerIndex(), frameLength);
    } catch (RuntimeException e) {
      frame.release();
      throw e;
    }
    if (plainLength == 0) {
      frame.release();
      return;
    }
    frame.writerIndex(frame.readerIndex() + plainLength);
    ctx.fireChannelRead(frame);
  }

  /** A pooled heap buffer with an accessible array (the cipher works on arrays). */
  private static ByteBuf heapBuffer(ByteBufAllocator alloc, int capacity) {
    ByteBuf buf = alloc.heapBuffer(capacity, capacity);
    if (buf.hasArray()) {
      return buf;
    }
    buf.release();
    return Unpooled.buffer(capacity, capacity);
  }

  private void failInbound(ChannelHandlerContext ctx, NoiseException e) {
    state = State.FAILED;
    releaseBody();
    LOG.debug("closing {}: {}", ctx.channel(), e.getMessage());
    ctx.fireExceptionCaught(e);
    ctx.close();
  }

  // ---------------------------------------------------------------- outbound

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
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

  /** Number of frames {@link #encryptPending} makes of the pending writes (same rule, sizes only). */
  private int framesNeeded() {
    int frames = 0;
    int fill = 0;
    for (PendingWrite w : pending) {
      int size = w.data.readableBytes();
      if (fill > 0 && size <= MAX_PLAINTEXT_PER_FRAME && fill + size > MAX_PLAINTEXT_PER_FRAME) {
        fill = 0; // this write starts a frame of its own
      }
      while (size > 0) {
        if (fill == 0) {
          frames++;
        }
        int n = Math.min(size, MAX_PLAINTEXT_PER_FRAME - fill);
        size -= n;
        fill = fill + n == MAX_PLAINTEXT_PER_FRAME ? 0 : fill + n;
      }
    }
    return frames;
  }

  private void encryptPending(ChannelHandlerContext ctx) {
    if (pending.isEmpty()) {
      return;
    }
    List<ChannelPromise> promises = new ArrayList<>(pending.size());
    int frames = framesNeeded();
    ByteBuf out = heapBuffer(ctx.alloc(), (int) (pendingBytes + (long) frames * FRAME_OVERHEAD));
    try {
      FrameWriter writer = new FrameWriter(out);
      PendingWrite w;
      while ((w = pending.poll()) != null) {
        promises.add(w.promise);
        try {
          writer.add(w.data);
        } finally {
          w.data.release();
        }
      }
      writer.endFrame();
      pendingBytes = 0;
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

  /** Encrypts writes into consecutive frames of one array-backed buffer. */
  private final class FrameWriter {
    private final ByteBuf out;
    private final byte[] array;
    private final int base;
    private int frameStart = -1;
    private int fill;

    FrameWriter(ByteBuf out) {
      this.out = out;
      this.array = out.array();
      this.base = out.arrayOffset();
    }

    void add(ByteBuf data) {
      int size = data.readableBytes();
      if (fill > 0 && size <= MAX_PLAINTEXT_PER_FRAME && fill + size > MAX_PLAINTEXT_PER_FRAME) {
        endFrame();
      }
      while (data.isReadable()) {
        if (frameStart < 0) {
          frameStart = out.writerIndex();
          out.writerIndex(frameStart + LENGTH_PREFIX);
          sender.encryptStart();
        }
        int n = Math.min(data.readableBytes(), MAX_PLAINTEXT_PER_FRAME - fill);
        encryptPiece(data, n);
        fill += n;
        if (fill == MAX_PLAINTEXT_PER_FRAME) {
          endFrame();
        }
      }
    }

    /** Encrypts the next {@code n} readable bytes of {@code data}, straight from its array(s) when it has them. */
    private void encryptPiece(ByteBuf data, int n) {
      if (data.nioBufferCount() == 1) {
        encryptPiece(data.nioBuffer(data.readerIndex(), n));
      } else {
        for (ByteBuffer part : data.nioBuffers(data.readerIndex(), n)) {
          encryptPiece(part);
        }
      }
      data.skipBytes(n);
    }

    private void encryptPiece(ByteBuffer src) {
      int n = src.remaining();
      int at = out.writerIndex();
      if (src.hasArray()) {
        sender.encryptUpdate(src.array(), src.arrayOffset() + src.position(), n, array, base + at);
      } else {
        // direct or read-only: copy into place once, encrypt there
        src.get(src.position(), array, base + at, n);
        sender.encryptUpdate(array, base + at, n, array, base + at);
      }
      out.writerIndex(at + n);
    }

    void endFrame() {
      if (frameStart < 0) {
        return;
      }
      int tagAt = out.writerIndex();
      sender.encryptFinish(array, base + tagAt);
      out.writerIndex(tagAt + CipherState.TAG_LENGTH);
      out.setShort(frameStart, fill + CipherState.TAG_LENGTH);
      frameStart = -1;
      fill = 0;
    }
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
    releaseBody();
    failPending(new ClosedChannelException());
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseBody();
    failPending(new ClosedChannelException());
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }
}
