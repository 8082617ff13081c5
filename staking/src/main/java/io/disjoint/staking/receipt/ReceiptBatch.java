package io.disjoint.staking.receipt;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.merkle.BatchPath;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * The gateway's one signature over many receipts it sent to one serving node
 * ({@code disjoint/receipt-batch/v1}, docs/receipts.md). The signed struct holds the count and the
 * {@link io.disjoint.staking.merkle.BatchTree} root of the receipt ids, not the ids themselves, so
 * a proof for one receipt is this struct plus a short {@link BatchPath}; the ids travel beside it
 * on the relay path ({@link ReceiptBatchMessage}).
 *
 * @param sequence per (gateway, node), from 1; informational (the node logs gaps), replays are
 *     caught by receipt ids
 * @param signature over {@link #signingBytes()}; empty only before signing
 */
public record ReceiptBatch(
    NetworkDomain domain,
    Account payer,
    Bytes signerKey,
    Bytes nodeId,
    long sequence,
    int count,
    Bytes32 root,
    Bytes signature) {

  public static final String TAG = "disjoint/receipt-batch/v1";

  public ReceiptBatch {
    if (domain == null || payer == null || root == null) {
      throw new IllegalArgumentException("domain, payer and root are required");
    }
    PaymentReceipt.checkSize(signerKey, 1, PaymentReceipt.MAX_KEY_SIZE, "signer key");
    PaymentReceipt.checkSize(nodeId, 1, PaymentReceipt.MAX_NODE_ID_SIZE, "node id");
    if (sequence < 1) {
      throw new IllegalArgumentException("batch sequence must be >= 1");
    }
    if (count < 1 || count > BatchPath.MAX_LEAVES) {
      throw new IllegalArgumentException("a batch lists 1.." + BatchPath.MAX_LEAVES + " receipts, not " + count);
    }
    PaymentReceipt.checkSize(signature, 0, PaymentReceipt.MAX_SIGNATURE_SIZE, "signature");
  }

  public byte[] signingBytes() {
    return new CanonicalWriter(224)
        .ascii(TAG)
        .ascii(domain.networkId())
        .u16(domain.version())
        .fixed(payer.bytes())
        .shortBytes(signerKey)
        .shortBytes(nodeId)
        .u64(sequence)
        .u16(count)
        .fixed(root)
        .toByteArray();
  }

  public Bytes32 id() {
    return Sha256.hash(signingBytes());
  }

  public boolean isSigned() {
    return !signature.isEmpty();
  }

  /** Wire form: signing bytes, then {@code short} signature (1..255 bytes). */
  public byte[] encode() {
    if (!isSigned()) {
      throw new IllegalStateException("an unsigned receipt batch has no wire form");
    }
    byte[] body = signingBytes();
    return new CanonicalWriter(body.length + 1 + signature.size()).fixed(body).shortBytes(signature)
        .toByteArray();
  }

  public ReceiptBatch withSignature(Bytes sig) {
    return new ReceiptBatch(domain, payer, signerKey, nodeId, sequence, count, root, sig);
  }

  /** Whether {@code receipt} could belong to this batch: same domain, payer, signer and node. */
  public boolean covers(PaymentReceipt receipt) {
    return receipt.domain().equals(domain) && receipt.payer().equals(payer)
        && receipt.signerKey().equals(signerKey) && receipt.nodeId().equals(nodeId);
  }

  public static ReceiptBatch decode(byte[] wire) {
    CanonicalReader r = new CanonicalReader(wire);
    ReceiptBatch b = decode(r);
    r.expectEnd("receipt batch");
    return b;
  }

  /** Reads one signed batch from {@code r} (the input may continue after it). */
  public static ReceiptBatch decode(CanonicalReader r) {
    r.expectTag(TAG);
    try {
      NetworkDomain domain = new NetworkDomain(r.ascii("network id", 64), r.u16("domain version"));
      Account payer = new Account(r.fixedBytes("payer", Account.SIZE));
      Bytes signer = Bytes.wrap(r.shortBytes("signer key", 1, PaymentReceipt.MAX_KEY_SIZE));
      Bytes node = Bytes.wrap(r.shortBytes("node id", 1, PaymentReceipt.MAX_NODE_ID_SIZE));
      long sequence = r.u63("sequence");
      int count = r.u16("count");
      Bytes32 root = r.bytes32("root");
      Bytes sig = Bytes.wrap(r.shortBytes("signature", 1, PaymentReceipt.MAX_SIGNATURE_SIZE));
      return new ReceiptBatch(domain, payer, signer, node, sequence, count, root, sig);
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("receipt batch: " + e.getMessage());
    }
  }
}
