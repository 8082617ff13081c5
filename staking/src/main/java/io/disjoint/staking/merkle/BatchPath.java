package io.disjoint.staking.merkle;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import java.util.ArrayList;
import java.util.List;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Inclusion path of one receipt id in a {@link BatchTree}. Encoding: {@code u16} leaf index,
 * {@code u16} leaf count, {@code u8} sibling count, then the sibling hashes (32 bytes each) from
 * the leaf up.
 */
public record BatchPath(int leafIndex, int leafCount, List<Bytes32> siblings) {
  /** Batches list at most this many receipts (the count is a u16 in the signed struct). */
  public static final int MAX_LEAVES = 1024;

  public BatchPath {
    if (leafCount < 1 || leafCount > MAX_LEAVES || leafIndex < 0 || leafIndex >= leafCount) {
      throw new IllegalArgumentException("leaf index " + leafIndex + " of " + leafCount);
    }
    siblings = List.copyOf(siblings);
    int expected = MerkleSumProof.expectedSiblings(leafIndex, leafCount);
    if (siblings.size() != expected) {
      throw new IllegalArgumentException("path has " + siblings.size() + " siblings, expected " + expected);
    }
  }

  /** The root that {@code receiptId} at this position computes to. */
  public Bytes32 rootFor(Bytes32 receiptId) {
    Bytes32 node = BatchTree.leaf(receiptId);
    int i = leafIndex;
    int size = leafCount;
    int next = 0;
    while (size > 1) {
      int sibling = (i % 2 == 0) ? i + 1 : i - 1;
      if (sibling < size) {
        Bytes32 s = siblings.get(next++);
        node = i % 2 == 0 ? BatchTree.parent(node, s) : BatchTree.parent(s, node);
      }
      i /= 2;
      size = (size + 1) / 2;
    }
    return node;
  }

  public byte[] encode() {
    CanonicalWriter w = new CanonicalWriter(5 + siblings.size() * 32);
    w.u16(leafIndex).u16(leafCount).u8(siblings.size());
    for (Bytes32 s : siblings) {
      w.fixed(s);
    }
    return w.toByteArray();
  }

  public static BatchPath decode(CanonicalReader r) {
    int index = r.u16("batch leaf index");
    int count = r.u16("batch leaf count");
    int n = r.u8("batch sibling count");
    if (n > 10) {
      throw new MalformedEncodingException("batch path: " + n + " siblings is deeper than "
          + MAX_LEAVES + " leaves");
    }
    List<Bytes32> siblings = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      siblings.add(r.bytes32("batch sibling"));
    }
    try {
      return new BatchPath(index, count, siblings);
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("batch path: " + e.getMessage());
    }
  }
}
