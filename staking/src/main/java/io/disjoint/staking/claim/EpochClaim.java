package io.disjoint.staking.claim;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.PaymentReceipt;
import org.apache.tuweni.bytes.Bytes;

/**
 * A node's commitment, after an epoch ends, to the Merkle-sum root of its receipts from one
 * payer in that epoch (leaves in store key order; sum = compute units).
 */
public record EpochClaim(long epoch, Bytes nodeId, Account payer, SumNode root, int leafCount) {
  public static final String TAG = "disjoint/claim/v1";

  public EpochClaim {
    if (epoch < 0 || nodeId == null || nodeId.isEmpty()
        || nodeId.size() > PaymentReceipt.MAX_NODE_ID_SIZE || payer == null || root == null
        || leafCount < 1) {
      throw new IllegalArgumentException("claim needs epoch >= 0, node id, payer, root, >= 1 leaf");
    }
  }

  public byte[] encode() {
    return new CanonicalWriter(128)
        .ascii(TAG)
        .u64(epoch)
        .shortBytes(nodeId)
        .fixed(payer.bytes())
        .fixed(root.hash())
        .u64(root.sum())
        .u32(leafCount)
        .toByteArray();
  }

  public static EpochClaim decode(CanonicalReader r) {
    r.expectTag(TAG);
    try {
      long epoch = r.u63("epoch");
      Bytes node = Bytes.wrap(r.shortBytes("node id", 1, PaymentReceipt.MAX_NODE_ID_SIZE));
      Account payer = new Account(r.fixedBytes("payer", Account.SIZE));
      SumNode root = new SumNode(r.bytes32("root hash"), r.u63("root sum"));
      long leaves = r.u32("leaf count");
      return new EpochClaim(epoch, node, payer, root, (int) Math.min(leaves, Integer.MAX_VALUE));
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("claim: " + e.getMessage());
    }
  }
}
