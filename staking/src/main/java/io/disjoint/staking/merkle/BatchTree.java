package io.disjoint.staking.merkle;

import io.disjoint.staking.codec.Sha256;
import java.util.ArrayList;
import java.util.List;
import org.apache.tuweni.bytes.Bytes32;

/**
 * The plain binary Merkle tree of a gateway's receipt batch (docs/receipts.md, "ReceiptBatch"):
 * leaf = SHA-256(0x03 || receipt id), parent = SHA-256(0x04 || left || right). Levels pair left
 * to right; an unpaired last node is promoted unchanged, as in {@link MerkleSumTree}. The tag
 * bytes differ from the sum tree's (0x00, 0x01, 0x02), so no node of one tree can pass for a
 * node of the other.
 */
public final class BatchTree {
  private static final byte[] LEAF = {0x03};
  private static final byte[] PARENT = {0x04};

  private final List<List<Bytes32>> levels;

  private BatchTree(List<List<Bytes32>> levels) {
    this.levels = levels;
  }

  public static Bytes32 leaf(Bytes32 receiptId) {
    return Sha256.hash(LEAF, receiptId.toArrayUnsafe());
  }

  public static Bytes32 parent(Bytes32 left, Bytes32 right) {
    return Sha256.hash(PARENT, left.toArrayUnsafe(), right.toArrayUnsafe());
  }

  public static BatchTree build(List<Bytes32> receiptIds) {
    if (receiptIds.isEmpty()) {
      throw new IllegalArgumentException("a batch tree needs at least one receipt id");
    }
    List<List<Bytes32>> levels = new ArrayList<>();
    List<Bytes32> level = new ArrayList<>(receiptIds.size());
    for (Bytes32 id : receiptIds) {
      level.add(leaf(id));
    }
    levels.add(level);
    while (level.size() > 1) {
      List<Bytes32> next = new ArrayList<>((level.size() + 1) / 2);
      for (int i = 0; i < level.size(); i += 2) {
        next.add(i + 1 < level.size() ? parent(level.get(i), level.get(i + 1)) : level.get(i));
      }
      level = next;
      levels.add(level);
    }
    return new BatchTree(levels);
  }

  /** Root over {@code receiptIds} in order. */
  public static Bytes32 root(List<Bytes32> receiptIds) {
    return build(receiptIds).root();
  }

  public Bytes32 root() {
    return levels.get(levels.size() - 1).get(0);
  }

  public int leafCount() {
    return levels.get(0).size();
  }

  /** The siblings from leaf {@code index} up, skipping levels where the node was promoted. */
  public BatchPath path(int index) {
    if (index < 0 || index >= leafCount()) {
      throw new IllegalArgumentException("leaf index outside 0.." + (leafCount() - 1));
    }
    List<Bytes32> siblings = new ArrayList<>();
    int i = index;
    for (int l = 0; l < levels.size() - 1; l++) {
      List<Bytes32> level = levels.get(l);
      int sibling = (i % 2 == 0) ? i + 1 : i - 1;
      if (sibling < level.size()) {
        siblings.add(level.get(sibling));
      }
      i /= 2;
    }
    return new BatchPath(index, leafCount(), siblings);
  }
}
