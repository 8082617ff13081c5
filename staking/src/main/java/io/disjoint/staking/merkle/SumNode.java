package io.disjoint.staking.merkle;

import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.Sha256;
import org.apache.tuweni.bytes.Bytes32;

/** A node of a Merkle-sum tree: a hash and the sum of the leaves below it. */
public record SumNode(Bytes32 hash, long sum) {
  public SumNode {
    if (hash == null) {
      throw new IllegalArgumentException("hash is required");
    }
    if (sum < 0) {
      throw new IllegalArgumentException("sum must be >= 0");
    }
  }

  /** Leaf: SHA-256(0x00 || receipt id || attestation id || u64 compute units). */
  public static SumNode leaf(Bytes32 receiptId, Bytes32 attestationId, long computeUnits) {
    byte[] pre =
        new CanonicalWriter(73)
            .u8(0)
            .fixed(receiptId)
            .fixed(attestationId)
            .u64(computeUnits)
            .toByteArray();
    return new SumNode(Sha256.hash(pre), computeUnits);
  }

  /**
   * Leaf of a voucher batch, where the gateway has receipts but not attestations:
   * SHA-256(0x02 || receipt id || u64 compute units).
   */
  public static SumNode receiptLeaf(Bytes32 receiptId, long computeUnits) {
    byte[] pre = new CanonicalWriter(41).u8(2).fixed(receiptId).u64(computeUnits).toByteArray();
    return new SumNode(Sha256.hash(pre), computeUnits);
  }

  /**
   * Parent: SHA-256(0x01 || left hash || u64 left sum || right hash || u64 right sum), with sum
   * left + right. The child sums are inside the hash, so a prover cannot shift value between
   * subtrees without changing the root.
   */
  public static SumNode parent(SumNode left, SumNode right) {
    long sum;
    try {
      sum = Math.addExact(left.sum, right.sum);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("Merkle-sum overflow");
    }
    byte[] pre =
        new CanonicalWriter(81)
            .u8(1)
            .fixed(left.hash)
            .u64(left.sum)
            .fixed(right.hash)
            .u64(right.sum)
            .toByteArray();
    return new SumNode(Sha256.hash(pre), sum);
  }
}
