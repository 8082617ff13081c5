package io.disjoint.relay.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RelayRequest.receipt_batch (field 7), batch-only requests and their BATCH_ACCEPTED answer, byte-exact as docs/relay-protocol.md has them. */
class RelayRequestReceiptBatchTest {
  private static final byte[] JSON = "{}".getBytes(StandardCharsets.UTF_8);

  private static byte[] wire(RelayRequest r) {
    return RelayMessages.toWire(r).toByteArray();
  }

  private static RelayRequest parse(byte[] bytes) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      return RelayMessages.parseRequest(buf);
    } finally {
      buf.release();
    }
  }

  @Test
  void theBatchIsOneTrailingFieldSevenAndAbsentWhenEmpty() {
    RelayRequest plain = new RelayRequest(1, "eip155:1", JSON, 1000, new byte[] {9}, true);
    RelayRequest carrying = plain.withReceiptBatch(new byte[] {0x0a, 0x0b});
    String base = "0801" + "1208" + HexFormat.of().formatHex("eip155:1".getBytes(StandardCharsets.US_ASCII))
        + "1a027b7d" + "20e807" + "2a0109" + "3001";
    assertEquals(base, HexFormat.of().formatHex(wire(plain)));
    assertEquals(base + "3a020a0b", HexFormat.of().formatHex(wire(carrying)));
    RelayRequest back = parse(wire(carrying));
    assertArrayEquals(new byte[] {0x0a, 0x0b}, back.receiptBatch());
    assertFalse(back.batchOnly());
    assertArrayEquals(new byte[] {0x0a, 0x0b}, back.withRequestId(7).receiptBatch(), "kept when the stream assigns its id");
  }

  @Test
  void aBatchOnlyRequestHasNoPayloadAndNoReceiptAndParsesBack() {
    RelayRequest flush = RelayRequest.batchOnly("receipt-batch", 1000, new byte[] {1, 2, 3});
    // 12 0d "receipt-batch" | 20 e8 07 | 3a 03 01 02 03  (id 0, payload, receipt omitted)
    assertEquals("120d" + HexFormat.of().formatHex("receipt-batch".getBytes(StandardCharsets.US_ASCII)) + "20e807" + "3a03010203",
        HexFormat.of().formatHex(wire(flush)));
    RelayRequest back = parse(wire(flush));
    assertTrue(back.batchOnly());
    assertEquals(0, back.payload().length);
    assertThrows(RelayProtocolException.class, () -> new RelayRequest(1, "eip155:1", new byte[0], 1000, new byte[] {9}, false,
        new byte[] {1}), "an empty payload with a receipt is not a batch-only request");
    assertThrows(RelayProtocolException.class, () -> new RelayRequest(1, "eip155:1", new byte[0], 1000, new byte[0], false,
        new byte[0]), "an empty payload without a batch is still refused");
    assertThrows(RelayProtocolException.class,
        () -> RelayRequest.batchOnly("x", 1000, new byte[RelayRequest.MAX_RECEIPT_BATCH + 1]));
  }

  @Test
  void aReaderThatStopsAtFieldSixSkipsTheBatchAsAnUnknownField() throws Exception {
    // What an older node does: protobuf readers skip fields they do not know.
    byte[] bytes = wire(new RelayRequest(3, "eip155:1", JSON, 1000, new byte[] {9}, false, new byte[] {4, 5}));
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    int known = 0;
    int skipped = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) <= 6) {
        known++;
      } else {
        skipped++;
      }
      in.skipField(tag);
    }
    assertEquals(5, known);
    assertEquals(1, skipped);
    byte[] older = Arrays.copyOf(bytes, bytes.length - 4);
    assertEquals(0, parse(older).receiptBatch().length);
  }

  @Test
  void theAcknowledgementOfABatchIsBatchAcceptedWithNothingElse() {
    RelayResponse ack = RelayResponse.batchAccepted(4);
    assertFalse(ack.isOk(), "not a relay outcome: gateways' OK-relay counts stay equal to stored receipts");
    assertEquals(RelayStatus.BATCH_ACCEPTED, ack.status());
    assertEquals(0, ack.payload().length);
    assertEquals("0804100a", HexFormat.of().formatHex(RelayMessages.toWire(ack).toByteArray()));
    ByteBuf buf = Unpooled.wrappedBuffer(RelayMessages.toWire(ack).toByteArray());
    try {
      assertEquals(RelayStatus.BATCH_ACCEPTED, RelayMessages.parseResponse(buf).status());
    } finally {
      buf.release();
    }
    assertThrows(RelayProtocolException.class, () -> new RelayResponse(4, RelayStatus.OK, "", new byte[0], -1,
        new byte[0], new byte[0]), "OK still needs a payload");
  }
}
