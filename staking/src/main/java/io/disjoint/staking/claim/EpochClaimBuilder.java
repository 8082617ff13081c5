package io.disjoint.staking.claim;

import io.disjoint.staking.merkle.MerkleSumTree;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.BatchMembership;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoredReceipt;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Node side of relay mining: builds the Merkle-sum tree of one (epoch, payer) from the store
 * (leaves in store key order: timestamp, then nonce) and answers the ledger's challenges.
 *
 * <p>The serving node checks receipt signatures on the relay path only for a sample (see
 * {@code SignatureSampler}), so the store may hold receipts whose signature nobody checked. A
 * claim leaf whose receipt does not verify would make its proof fail and the node be slashed,
 * so {@link #build} verifies every receipt's signature, in one batch off the relay path (in
 * parallel on the common pool), before it becomes a leaf; receipts that fail are left out and
 * reported in {@link Built#rejected}. A batched receipt is verified on its gateway's batch
 * signature (once per batch) and its path in the batch, and its proof carries both. A voucher covering a receipt is deliberately not taken as
 * proof of its signature: a gateway can vouch for a receipt it signed badly on purpose (and
 * with inflated compute units, so the challenge lands on it) to get the node slashed.
 */
public final class EpochClaimBuilder {
  private EpochClaimBuilder() {}

  /**
   * A claim with the tree and receipts behind it, kept until its proofs are submitted.
   *
   * @param rejected ids of stored receipts left out because their signature does not verify
   */
  public record Built(EpochClaim claim, MerkleSumTree tree, List<StoredReceipt> receipts,
      List<Optional<BatchMembership>> memberships, List<Bytes32> rejected) {
    public Built {
      receipts = List.copyOf(receipts);
      memberships = List.copyOf(memberships);
      rejected = List.copyOf(rejected);
      if (memberships.size() != receipts.size()) {
        throw new IllegalArgumentException("one membership (maybe empty) per receipt");
      }
    }
  }

  /** The claim over every receipt of (epoch, payer) whose signature verifies; empty if none. */
  public static Optional<Built> build(ReceiptStore store, long epoch, Account payer, Bytes nodeId) {
    List<StoredReceipt> stored = store.receipts(epoch, payer, -1, Integer.MAX_VALUE);
    List<Optional<BatchMembership>> found = stored.stream().map(store::membership).toList();
    boolean[] good = new boolean[stored.size()];
    IntStream.range(0, stored.size()).parallel()
        .forEach(i -> good[i] = BatchMembership.receiptAuthentic(stored.get(i).receipt(), found.get(i)));
    List<StoredReceipt> receipts = new ArrayList<>(stored.size());
    List<Optional<BatchMembership>> memberships = new ArrayList<>(stored.size());
    List<Bytes32> rejected = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      if (good[i]) {
        receipts.add(stored.get(i));
        memberships.add(found.get(i));
      } else {
        rejected.add(stored.get(i).id());
      }
    }
    if (receipts.isEmpty()) {
      return Optional.empty();
    }
    List<SumNode> leaves = new ArrayList<>(receipts.size());
    for (StoredReceipt s : receipts) {
      leaves.add(SumNode.leaf(s.id(), s.attestation().id(), s.receipt().computeUnits()));
    }
    MerkleSumTree tree = MerkleSumTree.build(leaves);
    return Optional.of(new Built(new EpochClaim(epoch, nodeId, payer, tree.root(), leaves.size()),
        tree, receipts, memberships, rejected));
  }

  /**
   * The proof for challenge {@code challenge}, which the ledger placed at compute unit
   * {@code point}. The stored attestation must already be signed; use
   * {@link #prove(Built, int, long, AttestationSigner)} for stores that keep them unsigned.
   */
  public static ClaimProof prove(Built built, int challenge, long point) {
    return prove(built, challenge, point, null);
  }

  /**
   * As {@link #prove(Built, int, long)}, signing the leaf's attestation now if it was stored
   * unsigned. Signing does not change the attestation id, so the leaf still matches the root.
   */
  public static ClaimProof prove(Built built, int challenge, long point, AttestationSigner signer) {
    int index = built.tree().leafIndexAt(point);
    StoredReceipt s = built.receipts().get(index);
    EpochClaim c = built.claim();
    ResponseAttestation attestation = s.attestation();
    if (!attestation.isSigned()) {
      if (signer == null) {
        throw new IllegalStateException("attestation of receipt " + s.id()
            + " is stored unsigned; prove with this node's AttestationSigner");
      }
      attestation = signer.sign(attestation);
    }
    return new ClaimProof(c.epoch(), c.nodeId(), c.payer(), challenge, s.receipt(),
        built.memberships().get(index), attestation, built.tree().proof(index));
  }
}
