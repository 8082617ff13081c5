package io.disjoint.staking.receipt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.merkle.BatchPath;
import io.disjoint.staking.merkle.BatchTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Builds the committed {@code ReceiptBatch} vectors (docs/receipts.md, "Test vectors") from the
 * receipt vector's inputs: a batch of three receipt ids (the receipt vector's id, then
 * 0x11..11 and 0x22..22) signed by the same gateway key for the same node. {@code main} rewrites
 * src/test/resources/vectors/receipt-batch.json; {@link ReceiptBatchVectorsTest} recomputes.
 */
public final class ReceiptBatchVectors {
  private ReceiptBatchVectors() {}

  static List<Bytes32> ids(PaymentReceipt first) {
    return List.of(first.id(), Bytes32.fromHexString("11".repeat(32)), Bytes32.fromHexString("22".repeat(32)));
  }

  static ReceiptBatch unsignedBatch(PaymentReceipt first) {
    List<Bytes32> ids = ids(first);
    return new ReceiptBatch(first.domain(), first.payer(), first.signerKey(), first.nodeId(), 1, ids.size(),
        BatchTree.root(ids), Bytes.EMPTY);
  }

  static ObjectNode build() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode receiptVectors = EncodingVectors.build();
    PaymentReceipt first = EncodingVectors.receiptFrom((ObjectNode) receiptVectors.get("receiptInput"));
    PrivKey gateway = EncodingVectors.key(EncodingVectors.GATEWAY_SEED);
    ObjectNode root = json.createObjectNode();
    root.put("description", "Disjoint ReceiptBatch (disjoint/receipt-batch/v1) over three receipt ids: the"
        + " receipt vector's id (receipt.json), 0x11..11, 0x22..22; sequence 1; the gateway and node of receipt.json");
    ArrayNode ids = root.putArray("receiptIds");
    ArrayNode leaves = root.putArray("leaves");
    for (Bytes32 id : ids(first)) {
      ids.add(id.toHexString());
      leaves.add(BatchTree.leaf(id).toHexString());
    }
    ReceiptBatch unsigned = unsignedBatch(first);
    ReceiptBatch signed = unsigned.withSignature(Bytes.wrap(gateway.sign(unsigned.signingBytes())));
    root.put("parent01", BatchTree.parent(BatchTree.leaf(ids(first).get(0)), BatchTree.leaf(ids(first).get(1))).toHexString());
    root.put("root", unsigned.root().toHexString());
    root.put("signingBytes", Bytes.wrap(unsigned.signingBytes()).toHexString());
    root.put("id", unsigned.id().toHexString());
    root.put("signature", signed.signature().toHexString());
    root.put("wire", Bytes.wrap(signed.encode()).toHexString());
    root.put("message", Bytes.wrap(new ReceiptBatchMessage(signed, ids(first)).encode()).toHexString());
    BatchPath path = BatchTree.build(ids(first)).path(0);
    root.put("pathOfLeaf0", Bytes.wrap(path.encode()).toHexString());
    PaymentReceipt batched = first;
    root.put("batchedReceiptWire", Bytes.wrap(batched.encode()).toHexString());
    List<String> notes = new ArrayList<>();
    notes.add("batchedReceiptWire is the receipt vector's signing bytes followed by 00 (no signature of its own)");
    root.putPOJO("notes", notes);
    return root;
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "staking/src/test/resources/vectors/receipt-batch.json");
    Files.writeString(out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(build()) + "\n");
    System.out.println("wrote " + out);
  }
}
