package io.disjoint.staking.store;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.Uint256;
import io.disjoint.staking.receipt.Account;
import java.math.BigInteger;

/**
 * What the store holds for one (epoch, payer): receipts, their compute units and value, and how
 * much of it a gateway-signed voucher already covers. The row the CLI's {@code receipts} prints.
 */
public record EpochPayerTotals(
    long epoch,
    Account payer,
    long receiptCount,
    long computeUnits,
    BigInteger value,
    long voucheredCount,
    BigInteger voucheredValue) {

  /** How far vouchers cover this row. */
  public enum VoucherState {
    NONE,
    PARTIAL,
    COMPLETE
  }

  public EpochPayerTotals {
    if (payer == null || epoch < 0 || receiptCount < 0 || computeUnits < 0 || voucheredCount < 0
        || voucheredCount > receiptCount) {
      throw new IllegalArgumentException("inconsistent totals for epoch " + epoch);
    }
    Uint256.check(value, "value");
    Uint256.check(voucheredValue, "vouchered value");
  }

  public static EpochPayerTotals empty(long epoch, Account payer) {
    return new EpochPayerTotals(epoch, payer, 0, 0, BigInteger.ZERO, 0, BigInteger.ZERO);
  }

  public BigInteger unvoucheredValue() {
    return value.subtract(voucheredValue).max(BigInteger.ZERO);
  }

  public VoucherState voucherState() {
    if (voucheredCount == 0) {
      return VoucherState.NONE;
    }
    return voucheredCount == receiptCount ? VoucherState.COMPLETE : VoucherState.PARTIAL;
  }

  /** These totals plus {@code count} receipts worth {@code cu} compute units and {@code v} in all. */
  EpochPayerTotals plusReceipts(long count, long cu, BigInteger v) {
    return new EpochPayerTotals(epoch, payer, Math.addExact(receiptCount, count),
        Math.addExact(computeUnits, cu), Uint256.add(value, v), voucheredCount, voucheredValue);
  }

  EpochPayerTotals plusVouchered(long count, BigInteger v) {
    return new EpochPayerTotals(epoch, payer, receiptCount, computeUnits, value,
        voucheredCount + count, Uint256.add(voucheredValue, v));
  }

  byte[] encodeValue() {
    return new CanonicalWriter(88)
        .u64(receiptCount)
        .u64(computeUnits)
        .u256(value)
        .u64(voucheredCount)
        .u256(voucheredValue)
        .toByteArray();
  }

  static EpochPayerTotals decodeValue(long epoch, Account payer, byte[] v) {
    CanonicalReader r = new CanonicalReader(v);
    EpochPayerTotals t = new EpochPayerTotals(epoch, payer, r.u63("count"), r.u63("compute units"),
        r.u256("value"), r.u63("vouchered count"), r.u256("vouchered value"));
    r.expectEnd("totals");
    return t;
  }
}
