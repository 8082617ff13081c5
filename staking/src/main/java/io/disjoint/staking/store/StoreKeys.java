package io.disjoint.staking.store;

import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.PaymentReceipt;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Key layouts. Every key that belongs to an epoch starts with the 8-byte big-endian epoch, so
 * settled epochs are removed with one range delete per column family.
 */
final class StoreKeys {
  static final int RECEIPT_KEY_SIZE = 8 + Account.SIZE + 8 + PaymentReceipt.NONCE_SIZE;
  static final int NONCE_OFFSET = 8 + Account.SIZE + 8;

  private StoreKeys() {}

  private static final VarHandle U64 =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** receipts: epoch | payer | timestamp ms | nonce (built directly: this runs per append). */
  static byte[] receipt(PaymentReceipt r) {
    byte[] k = new byte[RECEIPT_KEY_SIZE];
    U64.set(k, 0, r.epoch());
    System.arraycopy(r.payer().bytes().toArrayUnsafe(), 0, k, 8, Account.SIZE);
    U64.set(k, 8 + Account.SIZE, r.timestampMs());
    System.arraycopy(r.nonce().toArrayUnsafe(), 0, k, NONCE_OFFSET, PaymentReceipt.NONCE_SIZE);
    return k;
  }

  /** seen: epoch | receipt id, value the receipts key. */
  static byte[] seen(long epoch, Bytes32 id) {
    byte[] k = new byte[8 + Bytes32.SIZE];
    U64.set(k, 0, epoch);
    System.arraycopy(id.toArrayUnsafe(), 0, k, 8, Bytes32.SIZE);
    return k;
  }

  /** totals, claims: epoch | payer. */
  static byte[] epochPayer(long epoch, Account payer) {
    return new CanonicalWriter(28).u64(epoch).fixed(payer.bytes()).toByteArray();
  }

  /** batches: epoch (newest of the batch's receipts) | batch id. */
  static byte[] batch(long epoch, Bytes32 batchId) {
    return new CanonicalWriter(40).u64(epoch).fixed(batchId).toByteArray();
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
    return (long) U64.get(b, off);
  }
}
