package io.disjoint.staking.receipt;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.merkle.BatchPath;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.tuweni.bytes.Bytes;

/**
 * What stands in for a batched receipt's own signature: the gateway's signed batch and the path
 * of the receipt's id to the batch root. Encoding: {@code u16} length + batch wire, then the path.
 *
 * <p>{@link #authenticates} checks the batch signature once per batch id (cached: a voucher
 * request or a claim builder meets the same batch for up to 1,024 receipts) and the path for
 * every receipt.
 */
public record BatchMembership(ReceiptBatch batch, BatchPath path) {
  private static final int MAX_CACHED_BATCHES = 8192;
  private static final ConcurrentHashMap<Bytes, Boolean> VERIFIED = new ConcurrentHashMap<>();

  public BatchMembership {
    if (batch == null || path == null || !batch.isSigned()) {
      throw new IllegalArgumentException("a membership needs a signed batch and a path");
    }
    if (path.leafCount() != batch.count()) {
      throw new IllegalArgumentException("path is for " + path.leafCount() + " leaves, the batch has "
          + batch.count());
    }
  }

  /**
   * True if {@code receipt} (unsigned: the batch signs for it) is the path's leaf of a batch that
   * names the same domain, payer, signer and node and carries a valid signature of that signer.
   */
  public boolean authenticates(PaymentReceipt receipt) {
    return batch.covers(receipt) && path.rootFor(receipt.id()).equals(batch.root()) && batchSignatureValid(batch);
  }

  /** The batch's own signature under its signer key, remembered per batch id once checked. */
  public static boolean batchSignatureValid(ReceiptBatch batch) {
    // Keyed by id and signature: a copy with another signature is checked on its own, so the
    // answer never depends on what was verified before (the ledger must replay identically).
    Bytes id = Bytes.concatenate(batch.id(), batch.signature());
    if (VERIFIED.containsKey(id)) {
      return true;
    }
    boolean ok = Signatures.verify(batch.signerKey(), batch.signingBytes(), batch.signature());
    if (ok) {
      if (VERIFIED.size() >= MAX_CACHED_BATCHES) {
        VERIFIED.clear();
      }
      VERIFIED.put(id, Boolean.TRUE);
    }
    return ok;
  }

  /**
   * Whether {@code receipt} is authentic: its own signature, or (when it carries none) the batch
   * membership given.
   */
  public static boolean receiptAuthentic(PaymentReceipt receipt, Optional<BatchMembership> membership) {
    if (receipt.isSigned()) {
      return Signatures.verify(receipt.signerKey(), receipt.signingBytes(), receipt.signature());
    }
    return membership.isPresent() && membership.get().authenticates(receipt);
  }

  public byte[] encode() {
    byte[] b = batch.encode();
    byte[] p = path.encode();
    return new CanonicalWriter(2 + b.length + p.length).u16(b.length).fixed(b).fixed(p).toByteArray();
  }

  public static BatchMembership decode(CanonicalReader r) {
    ReceiptBatch batch = ReceiptBatch.decode(r.fixed("batch", r.u16("batch length")));
    BatchPath path = BatchPath.decode(r);
    try {
      return new BatchMembership(batch, path);
    } catch (IllegalArgumentException e) {
      throw new io.disjoint.staking.codec.MalformedEncodingException("batch membership: " + e.getMessage());
    }
  }
}
