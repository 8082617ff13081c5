package io.disjoint.relay.protocol;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Writes a protobuf message as {@code uvarint(length) || body} straight into a pooled buffer. */
@Sharable
public final class LengthPrefixedFrameEncoder extends MessageToByteEncoder<MessageLite> {
  public static final LengthPrefixedFrameEncoder INSTANCE = new LengthPrefixedFrameEncoder();

  private LengthPrefixedFrameEncoder() {
    super(MessageLite.class);
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MessageLite msg, boolean preferDirect) {
    int size = msg.getSerializedSize();
    return ctx.alloc().ioBuffer(CodedOutputStream.computeUInt32SizeNoTag(size) + size);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, MessageLite msg, ByteBuf out) throws IOException {
    int size = msg.getSerializedSize();
    int total = CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    out.ensureWritable(total);
    ByteBuffer target = out.nioBuffer(out.writerIndex(), total);
    CodedOutputStream coded = CodedOutputStream.newInstance(target);
    coded.writeUInt32NoTag(size);
    msg.writeTo(coded);
    coded.flush();
    out.writerIndex(out.writerIndex() + total);
  }
}
