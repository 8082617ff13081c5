package io.disjoint.staking.store;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ResponseAttestation;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes32;

/**
 * A receipt with the node's attestation for it, as kept in the store. The attestation may be
 * unsigned ({@link ResponseAttestation#isSigned} false): the node signs only when a gateway asks
 * or a claim proof needs it, and the stored form then carries a zero-length signature as the
 * "not yet signed" marker. A batched receipt (schema 3) carries no signature of its own
 * ({@link PaymentReceipt#isSigned} false) and names its {@link BatchRef} instead.
 */
public record StoredReceipt(Bytes32 id, PaymentReceipt receipt, ResponseAttestation attestation,
    Optional<BatchRef> batch) {
  private static final int BATCH_TRAILER = 1;

  public StoredReceipt {
    if (id == null || receipt == null || attestation == null || batch == null) {
      throw new IllegalArgumentException("id, receipt, attestation and batch (maybe empty) are required");
    }
    if (!receipt.isSigned() && batch.isEmpty()) {
      throw new IllegalArgumentException("an unsigned receipt is stored only with its batch");
    }
  }

  public StoredReceipt(Bytes32 id, PaymentReceipt receipt, ResponseAttestation attestation) {
    this(id, receipt, attestation, Optional.empty());
  }

  public static StoredReceipt of(PaymentReceipt receipt, ResponseAttestation attestation) {
    return new StoredReceipt(receipt.id(), receipt, attestation);
  }

  /**
   * Store value: u16 receipt length, receipt wire bytes (signature length 0 for a batched
   * receipt), attestation in its stored form (signing bytes, then {@code short} signature whose
   * length 0 marks "not yet signed"), then for a batched receipt the trailer {@code u8 1},
   * u64 batch epoch, bytes32 batch id, u16 leaf index.
   */
  static byte[] encodeValue(byte[] receiptWire, byte[] attestationWire) {
    return encodeValue(receiptWire, attestationWire, null);
  }

  static byte[] encodeValue(byte[] receiptWire, byte[] attestationWire, BatchRef ref) {
    CanonicalWriter w = new CanonicalWriter(2 + receiptWire.length + attestationWire.length + (ref == null ? 0 : 43))
        .u16(receiptWire.length)
        .fixed(receiptWire)
        .fixed(attestationWire);
    if (ref != null) {
      w.u8(BATCH_TRAILER).u64(ref.epoch()).fixed(ref.batchId()).u16(ref.leafIndex());
    }
    return w.toByteArray();
  }

  static StoredReceipt decodeValue(byte[] value) {
    CanonicalReader r = new CanonicalReader(value);
    int len = r.u16("receipt length");
    PaymentReceipt receipt = PaymentReceipt.decodeMaybeBatched(r.fixed("receipt", len));
    ResponseAttestation a = ResponseAttestation.decodeStored(r, false);
    Optional<BatchRef> ref = Optional.empty();
    if (r.remaining() > 0) {
      if (r.u8("batch trailer") != BATCH_TRAILER) {
        throw new MalformedEncodingException("stored receipt: unknown trailer");
      }
      long epoch = r.u63("batch epoch");
      Bytes32 id = r.bytes32("batch id");
      ref = Optional.of(new BatchRef(epoch, id, r.u16("batch leaf index")));
    }
    r.expectEnd("stored receipt");
    if (!receipt.isSigned() && ref.isEmpty()) {
      throw new MalformedEncodingException("stored receipt: no signature and no batch");
    }
    return new StoredReceipt(receipt.id(), receipt, a, ref);
  }
}
