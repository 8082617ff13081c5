package io.disjoint.staking.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * A binary Merkle-sum tree over an ordered list of leaves. Levels are built pairwise left to
 * right; an unpaired last node is promoted unchanged to the next level (never duplicated, which
 * would count its sum twice).
 */
public final class MerkleSumTree {
  private final List<List<SumNode>> levels;

  private MerkleSumTree(List<List<SumNode>> levels) {
    this.levels = levels;
  }

  public static MerkleSumTree build(List<SumNode> leaves) {
    if (leaves.isEmpty()) {
      throw new IllegalArgumentException("a Merkle-sum tree needs at least one leaf");
    }
    List<List<SumNode>> levels = new ArrayList<>();
    List<SumNode> level = List.copyOf(leaves);
    levels.add(level);
    while (level.size() > 1) {
      List<SumNode> next = new ArrayList<>((level.size() + 1) / 2);
      for (int i = 0; i < level.size(); i += 2) {
        next.add(i + 1 < level.size() ? SumNode.parent(level.get(i), level.get(i + 1)) : level.get(i));
      }
      level = List.copyOf(next);
      levels.add(level);
    }
    return new MerkleSumTree(List.copyOf(levels));
  }

  public SumNode root() {
    return levels.get(levels.size() - 1).get(0);
  }

  public int leafCount() {
    return levels.get(0).size();
  }

  public SumNode leaf(int index) {
    return levels.get(0).get(index);
  }

  /** The siblings from the leaf up to the root, skipping levels where the node was promoted. */
  public MerkleSumProof proof(int index) {
    if (index < 0 || index >= leafCount()) {
      throw new IllegalArgumentException("leaf index outside 0.." + (leafCount() - 1));
    }
    List<SumNode> siblings = new ArrayList<>();
    int i = index;
    for (int l = 0; l < levels.size() - 1; l++) {
      List<SumNode> level = levels.get(l);
      int sibling = (i % 2 == 0) ? i + 1 : i - 1;
      if (sibling < level.size()) {
        siblings.add(level.get(sibling));
      }
      i /= 2;
    }
    return new MerkleSumProof(index, leafCount(), siblings);
  }

  /**
   * The index of the leaf whose range [offset, offset + sum) holds {@code point}, for choosing
   * leaves in proportion to their compute units.
   */
  public int leafIndexAt(long point) {
    if (point < 0 || point >= root().sum()) {
      throw new IllegalArgumentException("point outside 0.." + root().sum());
    }
    long before = 0;
    for (int i = 0; i < leafCount(); i++) {
      long s = leaf(i).sum();
      if (point < before + s) {
        return i;
      }
      before += s;
    }
    throw new IllegalStateException("sums inconsistent");
  }
}
