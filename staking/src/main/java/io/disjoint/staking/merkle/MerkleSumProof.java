package io.disjoint.staking.merkle;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * An inclusion path for one leaf. {@link #verify} recomputes the root from the leaf and also
 * returns the leaf's offset (the sum of all leaves before it), which is what lets a verifier
 * check that the proven leaf is the one a random point selected.
 */
public record MerkleSumProof(int leafIndex, int leafCount, List<SumNode> siblings) {
  public static final int MAX_LEAVES = 1 << 30;

  public MerkleSumProof {
    if (leafCount < 1 || leafCount > MAX_LEAVES || leafIndex < 0 || leafIndex >= leafCount) {
      throw new IllegalArgumentException("leaf index " + leafIndex + " of " + leafCount);
    }
    siblings = List.copyOf(siblings);
    if (siblings.size() != expectedSiblings(leafIndex, leafCount)) {
      throw new IllegalArgumentException("path has " + siblings.size() + " siblings, expected "
          + expectedSiblings(leafIndex, leafCount));
    }
  }

  static int expectedSiblings(int index, int count) {
    int n = 0;
    int i = index;
    int size = count;
    while (size > 1) {
      int sibling = (i % 2 == 0) ? i + 1 : i - 1;
      if (sibling < size) {
        n++;
      }
      i /= 2;
      size = (size + 1) / 2;
    }
    return n;
  }

  /** The root and the leaf's offset, as computed from {@code leaf} and this path. */
  public record Result(SumNode root, long leafOffset) {}

  public Result compute(SumNode leaf) {
    SumNode node = leaf;
    long offset = 0;
    int i = leafIndex;
    int size = leafCount;
    int next = 0;
    while (size > 1) {
      int sibling = (i % 2 == 0) ? i + 1 : i - 1;
      if (sibling < size) {
        SumNode s = siblings.get(next++);
        if (i % 2 == 0) {
          node = SumNode.parent(node, s);
        } else {
          offset = Math.addExact(offset, s.sum());
          node = SumNode.parent(s, node);
        }
      }
      i /= 2;
      size = (size + 1) / 2;
    }
    return new Result(node, offset);
  }

  /** True if {@code leaf} with this path hashes to {@code root} (hash and sum). */
  public boolean verify(SumNode root, SumNode leaf) {
    try {
      return compute(leaf).root().equals(root);
    } catch (IllegalArgumentException | ArithmeticException e) {
      return false;
    }
  }

  public byte[] encode() {
    CanonicalWriter w = new CanonicalWriter(8 + siblings.size() * 40);
    w.u32(leafIndex).u32(leafCount).u8(siblings.size());
    for (SumNode s : siblings) {
      w.fixed(s.hash()).u64(s.sum());
    }
    return w.toByteArray();
  }

  public static MerkleSumProof decode(CanonicalReader r) {
    long index = r.u32("leaf index");
    long count = r.u32("leaf count");
    int n = r.u8("sibling count");
    if (n > 31) {
      throw new MalformedEncodingException("proof: " + n + " siblings is deeper than 2^31 leaves");
    }
    List<SumNode> siblings = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      siblings.add(new SumNode(r.bytes32("sibling hash"), r.u63("sibling sum")));
    }
    try {
      return new MerkleSumProof((int) Math.min(index, Integer.MAX_VALUE),
          (int) Math.min(count, Integer.MAX_VALUE), siblings);
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("proof: " + e.getMessage());
    }
  }
}
