package io.disjoint.staking.store;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ResponseAttestation;
import org.apache.tuweni.bytes.Bytes32;

/**
 * A receipt with the node's attestation for it, as kept in the store. The attestation may be
 * unsigned ({@link ResponseAttestation#isSigned} false): the node signs only when a gateway asks
 * or a claim proof needs it, and the stored form then carries a zero-length signature as the
 * "not yet signed" marker.
 */
public record StoredReceipt(Bytes32 id, PaymentReceipt receipt, ResponseAttestation attestation) {
  public StoredReceipt {
    if (id == null || receipt == null || attestation == null) {
      throw new IllegalArgumentException("id, receipt and attestation are required");
    }
  }

  public static StoredReceipt of(PaymentReceipt receipt, ResponseAttestation attestation) {
    return new StoredReceipt(receipt.id(), receipt, attestation);
  }

  /**
   * Store value: u16 receipt length, receipt wire bytes, attestation in its stored form (signing
   * bytes, then {@code short} signature whose length 0 marks "not yet signed").
   */
  static byte[] encodeValue(byte[] receiptWire, byte[] attestationWire) {
    return new CanonicalWriter(2 + receiptWire.length + attestationWire.length)
        .u16(receiptWire.length)
        .fixed(receiptWire)
        .fixed(attestationWire)
        .toByteArray();
  }

  static StoredReceipt decodeValue(byte[] value) {
    CanonicalReader r = new CanonicalReader(value);
    int len = r.u16("receipt length");
    PaymentReceipt receipt = PaymentReceipt.decode(new CanonicalReader(r.fixed("receipt", len)), true);
    ResponseAttestation a = ResponseAttestation.decodeStored(r, true);
    return new StoredReceipt(receipt.id(), receipt, a);
  }
}
