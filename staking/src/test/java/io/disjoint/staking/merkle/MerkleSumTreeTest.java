package io.disjoint.staking.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.Sha256;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.tuweni.bytes.Bytes32;
import org.junit.jupiter.api.Test;

class MerkleSumTreeTest {
  static List<SumNode> leaves(int n) {
    List<SumNode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(SumNode.leaf(Sha256.hash(new byte[] {(byte) i, 1}), Sha256.hash(new byte[] {(byte) i, 2}),
          10 + (i % 7) * 10));
    }
    return out;
  }

  @Property(tries = 200)
  void everyLeafProvesAgainstTheRootWithItsOffset(@ForAll @IntRange(min = 1, max = 70) int n) {
    List<SumNode> leaves = leaves(n);
    MerkleSumTree tree = MerkleSumTree.build(leaves);
    long total = leaves.stream().mapToLong(SumNode::sum).sum();
    assertEquals(total, tree.root().sum());
    long offset = 0;
    for (int i = 0; i < n; i++) {
      MerkleSumProof p = tree.proof(i);
      MerkleSumProof.Result r = p.compute(leaves.get(i));
      assertEquals(tree.root(), r.root());
      assertEquals(offset, r.leafOffset());
      assertEquals(i, tree.leafIndexAt(offset));
      MerkleSumProof decoded = MerkleSumProof.decode(new CanonicalReader(p.encode()));
      assertEquals(p, decoded);
      offset += leaves.get(i).sum();
    }
  }

  @Test
  void tamperingWithLeafSiblingHashOrSumBreaksTheProof() {
    List<SumNode> leaves = leaves(13);
    MerkleSumTree tree = MerkleSumTree.build(leaves);
    MerkleSumProof p = tree.proof(5);
    assertTrue(p.verify(tree.root(), leaves.get(5)));
    SumNode leaf = leaves.get(5);
    assertFalse(p.verify(tree.root(), new SumNode(leaf.hash(), leaf.sum() + 1)), "inflated leaf");
    assertFalse(p.verify(tree.root(), leaves.get(6)), "another leaf on this path");
    for (int k = 0; k < p.siblings().size(); k++) {
      List<SumNode> s = new ArrayList<>(p.siblings());
      SumNode orig = s.get(k);
      s.set(k, new SumNode(orig.hash(), orig.sum() + 1));
      assertFalse(new MerkleSumProof(5, 13, s).verify(tree.root(), leaf), "sibling sum " + k);
      s.set(k, new SumNode(Bytes32.ZERO, orig.sum()));
      assertFalse(new MerkleSumProof(5, 13, s).verify(tree.root(), leaf), "sibling hash " + k);
    }
    assertFalse(p.verify(new SumNode(tree.root().hash(), tree.root().sum() - 1), leaf), "root sum");
  }

  @Test
  void movingValueBetweenSubtreesChangesTheRoot() {
    List<SumNode> leaves = leaves(4);
    SumNode a = SumNode.parent(leaves.get(0), leaves.get(1));
    SumNode b = SumNode.parent(leaves.get(2), leaves.get(3));
    SumNode root = SumNode.parent(a, b);
    SumNode shifted = SumNode.parent(new SumNode(a.hash(), a.sum() + 5), new SumNode(b.hash(), b.sum() - 5));
    assertEquals(root.sum(), shifted.sum());
    assertFalse(root.hash().equals(shifted.hash()));
  }

  @Test
  void unpairedNodesArePromotedNotDuplicated() {
    List<SumNode> leaves = leaves(3);
    MerkleSumTree tree = MerkleSumTree.build(leaves);
    SumNode expected = SumNode.parent(SumNode.parent(leaves.get(0), leaves.get(1)), leaves.get(2));
    assertEquals(expected, tree.root());
    assertEquals(1, tree.proof(2).siblings().size());
  }
}
