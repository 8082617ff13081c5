package io.disjoint.staking.claim;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.merkle.MerkleSumProof;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.BatchMembership;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ResponseAttestation;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;

/**
 * Proof for the {@code challenge}-th leaf the seed selected in a claim: the receipt, the node's
 * attestation for it, and the Merkle-sum path from that leaf to the claimed root. A batched
 * receipt (no signature of its own) also carries its gateway's signed batch and the receipt's
 * path in it ({@code disjoint/proof/v2}); the ledger accepts the batch signature in place of the
 * receipt's.
 */
public record ClaimProof(long epoch, Bytes nodeId, Account payer, int challenge,
    PaymentReceipt receipt, Optional<BatchMembership> membership, ResponseAttestation attestation,
    MerkleSumProof path) {
  public static final String TAG = "disjoint/proof/v1";
  /** v2: the receipt is batched; its gateway's batch and the receipt's batch path follow it. */
  public static final String TAG_V2 = "disjoint/proof/v2";

  /** A proof for a receipt that carries its own signature (v1). */
  public ClaimProof(long epoch, Bytes nodeId, Account payer, int challenge, PaymentReceipt receipt,
      ResponseAttestation attestation, MerkleSumProof path) {
    this(epoch, nodeId, payer, challenge, receipt, Optional.empty(), attestation, path);
  }

  public ClaimProof {
    if (epoch < 0 || nodeId == null || payer == null || challenge < 0 || challenge > 255
        || receipt == null || membership == null || attestation == null || path == null) {
      throw new IllegalArgumentException("incomplete claim proof");
    }
    if (receipt.isSigned() == membership.isPresent()) {
      throw new IllegalArgumentException("a claim proof carries a signed receipt or an unsigned one with its batch");
    }
    if (!attestation.isSigned()) {
      throw new IllegalArgumentException("a claim proof needs a signed attestation");
    }
  }

  /** The leaf this proof stands for. */
  public SumNode leaf() {
    return SumNode.leaf(receipt.id(), attestation.id(), receipt.computeUnits());
  }

  public byte[] encode() {
    byte[] r = receipt.encode();
    byte[] a = attestation.encode();
    byte[] p = path.encode();
    byte[] m = membership.map(BatchMembership::encode).orElse(new byte[0]);
    return new CanonicalWriter(64 + r.length + m.length + a.length + p.length)
        .ascii(membership.isPresent() ? TAG_V2 : TAG)
        .u64(epoch)
        .shortBytes(nodeId)
        .fixed(payer.bytes())
        .u8(challenge)
        .u16(r.length)
        .fixed(r)
        .fixed(m)
        .u16(a.length)
        .fixed(a)
        .fixed(p)
        .toByteArray();
  }

  public static ClaimProof decode(byte[] wire) {
    CanonicalReader r = new CanonicalReader(wire);
    String tag = r.ascii("tag", 255);
    if (!tag.equals(TAG) && !tag.equals(TAG_V2)) {
      throw new MalformedEncodingException("tag: expected " + TAG + " or " + TAG_V2 + ", got " + tag);
    }
    boolean batched = tag.equals(TAG_V2);
    try {
      long epoch = r.u63("epoch");
      Bytes node = Bytes.wrap(r.shortBytes("node id", 1, PaymentReceipt.MAX_NODE_ID_SIZE));
      Account payer = new Account(r.fixedBytes("payer", Account.SIZE));
      int challenge = r.u8("challenge");
      byte[] receiptWire = r.fixed("receipt", r.u16("receipt length"));
      PaymentReceipt receipt = batched ? PaymentReceipt.decodeMaybeBatched(receiptWire)
          : PaymentReceipt.decode(receiptWire);
      Optional<BatchMembership> membership =
          batched ? Optional.of(BatchMembership.decode(r)) : Optional.empty();
      ResponseAttestation att =
          ResponseAttestation.decode(r.fixed("attestation", r.u16("attestation length")));
      MerkleSumProof path = MerkleSumProof.decode(r);
      r.expectEnd("claim proof");
      return new ClaimProof(epoch, node, payer, challenge, receipt, membership, att, path);
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("claim proof: " + e.getMessage());
    }
  }
}
