package io.disjoint.staking.receipt;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.merkle.BatchPath;
import io.disjoint.staking.merkle.BatchTree;
import java.util.ArrayList;
import java.util.List;
import org.apache.tuweni.bytes.Bytes32;

/**
 * A signed {@link ReceiptBatch} with the receipt ids it commits to, in leaf order: what a gateway
 * sends in {@code RelayRequest.receipt_batch} and what the node keeps in its {@code batches}
 * column family. Encoding: batch wire, then {@code count} ids of 32 bytes (the count is the
 * batch's). The ids must hash to the batch's root; a message whose ids do not is malformed.
 */
public record ReceiptBatchMessage(ReceiptBatch batch, List<Bytes32> receiptIds) {
  public ReceiptBatchMessage {
    if (batch == null || !batch.isSigned()) {
      throw new IllegalArgumentException("a batch message carries a signed batch");
    }
    receiptIds = List.copyOf(receiptIds);
    if (receiptIds.size() != batch.count()) {
      throw new IllegalArgumentException("batch counts " + batch.count() + " receipts, message lists "
          + receiptIds.size());
    }
    if (!BatchTree.root(receiptIds).equals(batch.root())) {
      throw new IllegalArgumentException("listed receipt ids do not hash to the batch root");
    }
  }

  public byte[] encode() {
    byte[] b = batch.encode();
    CanonicalWriter w = new CanonicalWriter(b.length + 32 * receiptIds.size()).fixed(b);
    for (Bytes32 id : receiptIds) {
      w.fixed(id);
    }
    return w.toByteArray();
  }

  /** The path of leaf {@code index} (builds the tree: ~2 hashes per receipt). */
  public BatchPath path(int index) {
    return BatchTree.build(receiptIds).path(index);
  }

  public static ReceiptBatchMessage decode(byte[] bytes) {
    CanonicalReader r = new CanonicalReader(bytes);
    ReceiptBatch batch = ReceiptBatch.decode(r);
    if (r.remaining() != 32L * batch.count()) {
      throw new MalformedEncodingException("receipt batch message: " + r.remaining()
          + " bytes of ids for a count of " + batch.count());
    }
    List<Bytes32> ids = new ArrayList<>(batch.count());
    for (int i = 0; i < batch.count(); i++) {
      ids.add(r.bytes32("receipt id"));
    }
    r.expectEnd("receipt batch message");
    try {
      return new ReceiptBatchMessage(batch, ids);
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("receipt batch message: " + e.getMessage());
    }
  }
}
