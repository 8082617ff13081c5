package io.disjoint.staking.receipt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.merkle.BatchPath;
import io.disjoint.staking.merkle.BatchTree;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;
import org.junit.jupiter.api.Test;

/** The committed batch vectors (also printed in docs/receipts.md) must keep matching the code. */
class ReceiptBatchVectorsTest {
  private static ObjectNode read(String name) throws Exception {
    try (InputStream in = ReceiptBatchVectorsTest.class.getResourceAsStream(name)) {
      return (ObjectNode) new ObjectMapper().readTree(in);
    }
  }

  private final ObjectNode v;
  private final PaymentReceipt first;
  private final PrivKey gateway;

  ReceiptBatchVectorsTest() throws Exception {
    v = read("/vectors/receipt-batch.json");
    ObjectNode receipt = read("/vectors/receipt.json");
    first = EncodingVectors.receiptFrom((ObjectNode) receipt.get("receiptInput"));
    gateway = EncodingVectors.key(receipt.get("gatewaySeed").asText());
  }

  private List<Bytes32> ids() {
    return java.util.stream.StreamSupport.stream(v.get("receiptIds").spliterator(), false)
        .map(n -> Bytes32.fromHexString(n.asText())).toList();
  }

  @Test
  void batchEncodingIdSignatureAndMessageMatchTheVectors() {
    assertEquals(first.id(), ids().get(0));
    for (int i = 0; i < 3; i++) {
      assertEquals(v.get("leaves").get(i).asText(), BatchTree.leaf(ids().get(i)).toHexString());
    }
    ReceiptBatch unsigned = new ReceiptBatch(first.domain(), first.payer(), first.signerKey(), first.nodeId(), 1, 3,
        BatchTree.root(ids()), Bytes.EMPTY);
    assertEquals(v.get("root").asText(), unsigned.root().toHexString());
    assertEquals(v.get("signingBytes").asText(), Bytes.wrap(unsigned.signingBytes()).toHexString());
    assertEquals(v.get("id").asText(), unsigned.id().toHexString());
    ReceiptBatch signed = unsigned.withSignature(Bytes.wrap(gateway.sign(unsigned.signingBytes())));
    assertEquals(v.get("signature").asText(), signed.signature().toHexString());
    byte[] wire = Bytes.fromHexString(v.get("wire").asText()).toArray();
    assertArrayEquals(wire, signed.encode());
    assertEquals(signed, ReceiptBatch.decode(wire));
    byte[] message = Bytes.fromHexString(v.get("message").asText()).toArray();
    assertArrayEquals(message, new ReceiptBatchMessage(signed, ids()).encode());
    assertEquals(new ReceiptBatchMessage(signed, ids()), ReceiptBatchMessage.decode(message));
    assertTrue(BatchMembership.batchSignatureValid(signed));
  }

  @Test
  void pathAndBatchedReceiptMatchTheVectorsAndAuthenticateTheReceipt() {
    BatchPath path = BatchTree.build(ids()).path(0);
    assertEquals(v.get("pathOfLeaf0").asText(), Bytes.wrap(path.encode()).toHexString());
    assertEquals(path, BatchPath.decode(new CanonicalReader(path.encode())));
    assertEquals(2, path.siblings().size(), "leaf 1, then leaf 2 promoted");
    byte[] batchedWire = Bytes.fromHexString(v.get("batchedReceiptWire").asText()).toArray();
    assertEquals(0, batchedWire[batchedWire.length - 1], "zero-length signature");
    PaymentReceipt batched = PaymentReceipt.decodeMaybeBatched(batchedWire);
    assertFalse(batched.isSigned());
    assertThrows(MalformedEncodingException.class, () -> PaymentReceipt.decode(batchedWire),
        "the signed-receipt decoder still refuses an empty signature");
    ReceiptBatch signed = ReceiptBatch.decode(Bytes.fromHexString(v.get("wire").asText()).toArray());
    BatchMembership m = new BatchMembership(signed, path);
    assertTrue(BatchMembership.receiptAuthentic(batched, Optional.of(m)));
    assertFalse(BatchMembership.receiptAuthentic(batched, Optional.of(
        new BatchMembership(signed, BatchTree.build(ids()).path(1)))), "another leaf's path");
    assertFalse(BatchMembership.receiptAuthentic(batched, Optional.empty()));
  }

  @Test
  void malformedBatchMessagesAreRefused() {
    byte[] message = Bytes.fromHexString(v.get("message").asText()).toArray();
    byte[] shortOne = java.util.Arrays.copyOf(message, message.length - 1);
    assertThrows(MalformedEncodingException.class, () -> ReceiptBatchMessage.decode(shortOne));
    byte[] swapped = message.clone();
    swapped[swapped.length - 1] ^= 1;
    assertThrows(MalformedEncodingException.class, () -> ReceiptBatchMessage.decode(swapped),
        "ids that do not hash to the signed root");
    byte[] forged = Bytes.fromHexString(v.get("wire").asText()).toArray();
    forged[forged.length - 1] ^= 1;
    assertFalse(BatchMembership.batchSignatureValid(ReceiptBatch.decode(forged)));
  }
}
