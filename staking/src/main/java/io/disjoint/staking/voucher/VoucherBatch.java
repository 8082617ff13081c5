package io.disjoint.staking.voucher;

import io.disjoint.staking.merkle.MerkleSumTree;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.receipt.PaymentReceipt;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a voucher commits to about its batch, computed identically by gateway and node: receipts
 * in (timestamp, nonce) order, Merkle-sum tree of receipt leaves (sum = compute units).
 */
record VoucherBatch(List<PaymentReceipt> ordered, SumNode root, BigInteger value, long lastTimestampMs) {
  static final Comparator<PaymentReceipt> ORDER = Comparator
      .comparingLong(PaymentReceipt::timestampMs)
      .thenComparing(PaymentReceipt::nonce);

  static VoucherBatch of(List<PaymentReceipt> receipts) {
    List<PaymentReceipt> ordered = new ArrayList<>(receipts);
    ordered.sort(ORDER);
    List<SumNode> leaves = new ArrayList<>(ordered.size());
    BigInteger value = BigInteger.ZERO;
    for (PaymentReceipt r : ordered) {
      leaves.add(SumNode.receiptLeaf(r.id(), r.computeUnits()));
      value = value.add(r.value());
    }
    return new VoucherBatch(List.copyOf(ordered), MerkleSumTree.build(leaves).root(), value,
        ordered.get(ordered.size() - 1).timestampMs());
  }
}
