package io.disjoint.relay.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.disjoint.relay.protocol.pb.RelayProto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Conversions between the wire protobuf messages and the validated records. */
public final class RelayMessages {
  private RelayMessages() {}

  public static RelayProto.RelayRequest toWire(RelayRequest r) {
    return RelayProto.RelayRequest.newBuilder()
        .setRequestId(r.requestId())
        .setChain(r.chain())
        .setPayload(ByteString.copyFrom(r.payload()))
        .setDeadlineUnixMs(r.deadlineUnixMs())
        .setPaymentReceipt(ByteString.copyFrom(r.paymentReceipt()))
        .setSignAttestation(r.signAttestation())
        .setReceiptBatch(r.receiptBatch().length == 0 ? ByteString.EMPTY : ByteString.copyFrom(r.receiptBatch()))
        .build();
  }

  public static RelayProto.RelayResponse toWire(RelayResponse r) {
    RelayProto.RelayResponse.Builder b = RelayProto.RelayResponse.newBuilder()
        .setRequestId(r.requestId())
        .setStatus(r.status().wire())
        .setErrorMessage(r.errorMessage())
        .setPayload(ByteString.copyFrom(r.payload()))
        .setHeadHash(ByteString.copyFrom(r.headHash()))
        .setAttestation(ByteString.copyFrom(r.attestation()));
    if (r.headNumber() >= 0) {
      b.setHeadNumber(r.headNumber());
    }
    return b.build();
  }

  /** Parses one frame body; throws {@link RelayProtocolException} naming what is wrong. */
  public static RelayRequest parseRequest(ByteBuf frame) {
    RelayProto.RelayRequest m;
    try {
      m = RelayProto.RelayRequest.parseFrom(bytes(frame));
    } catch (InvalidProtocolBufferException e) {
      throw new RelayProtocolException("undecodable RelayRequest: " + e.getMessage(), e);
    }
    return new RelayRequest(
        m.getRequestId(),
        m.getChain(),
        m.getPayload().toByteArray(),
        m.getDeadlineUnixMs(),
        m.getPaymentReceipt().toByteArray(),
        m.getSignAttestation(),
        m.getReceiptBatch().toByteArray());
  }

  public static RelayResponse parseResponse(ByteBuf frame) {
    RelayProto.RelayResponse m;
    try {
      m = RelayProto.RelayResponse.parseFrom(bytes(frame));
    } catch (InvalidProtocolBufferException e) {
      throw new RelayProtocolException("undecodable RelayResponse: " + e.getMessage(), e);
    }
    long head = m.hasHeadNumber() ? m.getHeadNumber() : -1;
    if (m.hasHeadNumber() && head < 0) {
      throw new RelayProtocolException("head number above 2^63");
    }
    return new RelayResponse(
        m.getRequestId(),
        RelayStatus.fromWire(m.getStatusValue()),
        m.getErrorMessage(),
        m.getPayload().toByteArray(),
        head,
        m.getHeadHash().toByteArray(),
        m.getAttestation().toByteArray());
  }

  private static byte[] bytes(ByteBuf frame) {
    return ByteBufUtil.getBytes(frame, frame.readerIndex(), frame.readableBytes(), false);
  }
}
