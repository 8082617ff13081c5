package io.disjoint.staking.claim;

import io.disjoint.staking.merkle.MerkleSumTree;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoredReceipt;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;

/**
 * Node side of relay mining: builds the Merkle-sum tree of one (epoch, payer) from the store
 * (leaves in store key order: timestamp, then nonce) and answers the ledger's challenges.
 */
public final class EpochClaimBuilder {
  private EpochClaimBuilder() {}

  /** A claim with the tree and receipts behind it, kept until its proofs are submitted. */
  public record Built(EpochClaim claim, MerkleSumTree tree, List<StoredReceipt> receipts) {}

  public static Optional<Built> build(ReceiptStore store, long epoch, Account payer, Bytes nodeId) {
    List<StoredReceipt> receipts = store.receipts(epoch, payer, -1, Integer.MAX_VALUE);
    if (receipts.isEmpty()) {
      return Optional.empty();
    }
    List<SumNode> leaves = new ArrayList<>(receipts.size());
    for (StoredReceipt s : receipts) {
      leaves.add(SumNode.leaf(s.id(), s.attestation().id(), s.receipt().computeUnits()));
    }
    MerkleSumTree tree = MerkleSumTree.build(leaves);
    return Optional.of(new Built(new EpochClaim(epoch, nodeId, payer, tree.root(), leaves.size()),
        tree, List.copyOf(receipts)));
  }

  /** The proof for challenge {@code challenge}, which the ledger placed at compute unit {@code point}. */
  public static ClaimProof prove(Built built, int challenge, long point) {
    int index = built.tree().leafIndexAt(point);
    StoredReceipt s = built.receipts().get(index);
    EpochClaim c = built.claim();
    return new ClaimProof(c.epoch(), c.nodeId(), c.payer(), challenge, s.receipt(),
        s.attestation(), built.tree().proof(index));
  }
}
