package io.disjoint.staking.store;

import org.apache.tuweni.bytes.Bytes32;

/**
 * Where a batched receipt's signature lives: the {@code batches} row (epoch, batch id) and the
 * receipt's leaf index in that batch. {@code epoch} is the newest epoch of the batch's receipts,
 * so deleting settled epochs never removes a batch a kept receipt still needs.
 */
public record BatchRef(long epoch, Bytes32 batchId, int leafIndex) {
  public BatchRef {
    if (epoch < 0 || batchId == null || leafIndex < 0 || leafIndex > 0xffff) {
      throw new IllegalArgumentException("batch ref needs epoch >= 0, an id and a u16 leaf index");
    }
  }
}
