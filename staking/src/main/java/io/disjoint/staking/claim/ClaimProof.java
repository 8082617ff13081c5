package io.disjoint.staking.claim;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.merkle.MerkleSumProof;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ResponseAttestation;
import org.apache.tuweni.bytes.Bytes;

/**
 * Proof for the {@code challenge}-th leaf the seed selected in a claim: the receipt, the node's
 * attestation for it, and the Merkle-sum path from that leaf to the claimed root.
 */
public record ClaimProof(long epoch, Bytes nodeId, Account payer, int challenge,
    PaymentReceipt receipt, ResponseAttestation attestation, MerkleSumProof path) {
  public static final String TAG = "disjoint/proof/v1";

  public ClaimProof {
    if (epoch < 0 || nodeId == null || payer == null || challenge < 0 || challenge > 255
        || receipt == null || attestation == null || path == null) {
      throw new IllegalArgumentException("incomplete claim proof");
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
    return new CanonicalWriter(64 + r.length + a.length + p.length)
        .ascii(TAG)
        .u64(epoch)
        .shortBytes(nodeId)
        .fixed(payer.bytes())
        .u8(challenge)
        .u16(r.length)
        .fixed(r)
        .u16(a.length)
        .fixed(a)
        .fixed(p)
        .toByteArray();
  }

  public static ClaimProof decode(byte[] wire) {
    CanonicalReader r = new CanonicalReader(wire);
    r.expectTag(TAG);
    try {
      long epoch = r.u63("epoch");
      Bytes node = Bytes.wrap(r.shortBytes("node id", 1, PaymentReceipt.MAX_NODE_ID_SIZE));
      Account payer = new Account(r.fixedBytes("payer", Account.SIZE));
      int challenge = r.u8("challenge");
      PaymentReceipt receipt = PaymentReceipt.decode(r.fixed("receipt", r.u16("receipt length")));
      ResponseAttestation att =
          ResponseAttestation.decode(r.fixed("attestation", r.u16("attestation length")));
      MerkleSumProof path = MerkleSumProof.decode(r);
      r.expectEnd("claim proof");
      return new ClaimProof(epoch, node, payer, challenge, receipt, att, path);
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("claim proof: " + e.getMessage());
    }
  }
}
