package io.disjoint.staking.store;

import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.PaymentReceipt;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Key layouts. Every key that belongs to an epoch starts with the 8-byte big-endian epoch, so
 * settled epochs are removed with one range delete per column family.
 */
final class StoreKeys {
  static final int RECEIPT_KEY_SIZE = 8 + Account.SIZE + 8 + PaymentReceipt.NONCE_SIZE;
  static final int NONCE_OFFSET = 8 + Account.SIZE + 8;

  private StoreKeys() {}

  /** receipts: epoch | payer | timestamp ms | nonce. */
  static byte[] receipt(PaymentReceipt r) {
    return new CanonicalWriter(RECEIPT_KEY_SIZE)
        .u64(r.epoch())
        .fixed(r.payer().bytes())
        .u64(r.timestampMs())
        .fixed(r.nonce())
        .toByteArray();
  }

  /** seen: epoch | receipt id, value the receipts key. */
  static byte[] seen(long epoch, Bytes32 id) {
    return new CanonicalWriter(40).u64(epoch).fixed(id).toByteArray();
  }

  /** totals, claims: epoch | payer. */
  static byte[] epochPayer(long epoch, Account payer) {
    return new CanonicalWriter(28).u64(epoch).fixed(payer.bytes()).toByteArray();
  }

  /** vouchers: payer | sequence. */
  static byte[] voucher(Account payer, long sequence) {
    return new CanonicalWriter(28).fixed(payer.bytes()).u64(sequence).toByteArray();
  }

  static byte[] epochStart(long epoch) {
    return new CanonicalWriter(8).u64(epoch).toByteArray();
  }

  static byte[] payerStart(Account payer) {
    return payer.toArray();
  }

  static byte[] payerEnd(Account payer) {
    byte[] b = payer.toArray();
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] != (byte) 0xff) {
        b[i]++;
        return b;
      }
      b[i] = 0;
    }
    return new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff};
  }

  static long readU64(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }
}
