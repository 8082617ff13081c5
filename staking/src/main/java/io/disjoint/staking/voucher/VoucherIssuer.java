package io.disjoint.staking.voucher;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.BatchMembership;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.Signatures;
import io.disjoint.staking.voucher.VoucherRejectedException.Reason;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Gateway side of the voucher protocol. Stateless, as TAP's aggregator is: the node brings the
 * last voucher, which the issuer trusts only because it carries the issuer's own signature. A
 * node replaying an older voucher gains nothing: totals are running values, and settlement
 * pays the highest total minus what was paid.
 */
public final class VoucherIssuer {
  private final PrivKey key;
  private final Bytes signerKey;
  private final NetworkDomain domain;
  private final Account payer;
  private final Clock clock;
  private final Duration futureTolerance;

  public VoucherIssuer(PrivKey key, NetworkDomain domain, Account payer, Clock clock,
      Duration futureTolerance) {
    this.key = key;
    this.signerKey = Bytes.wrap(key.publicKey().marshal());
    this.domain = domain;
    this.payer = payer;
    this.clock = clock;
    this.futureTolerance = futureTolerance;
  }

  /** Checks the request from {@code node} and signs the next voucher. */
  public Voucher issue(PeerId node, VoucherMessages.Request request) {
    Bytes nodeId = Bytes.wrap(node.bytes());
    long after = -1;
    long sequence = 1;
    Bytes32 previousId = Bytes32.ZERO;
    BigInteger total = BigInteger.ZERO;
    if (request.previous().isPresent()) {
      Voucher prev = request.previous().get();
      if (!prev.signerKey().equals(signerKey)
          || !Signatures.verify(prev.signerKey(), prev.signingBytes(), prev.signature())) {
        throw new VoucherRejectedException(Reason.PREVIOUS_INVALID,
            "previous voucher was not signed by this gateway");
      }
      if (!prev.domain().equals(domain) || !prev.payer().equals(payer) || !prev.nodeId().equals(nodeId)) {
        throw new VoucherRejectedException(Reason.PREVIOUS_INVALID,
            "previous voucher is for another domain, payer or node");
      }
      after = prev.lastTimestampMs();
      sequence = prev.sequence() + 1;
      previousId = prev.id();
      total = prev.valueTotal();
    }
    long latest = clock.millis() + futureTolerance.toMillis();
    Set<Bytes32> ids = new HashSet<>();
    for (int i = 0; i < request.receipts().size(); i++) {
      PaymentReceipt r = request.receipts().get(i);
      check(r, request.memberships().get(i), nodeId, after, latest);
      if (!ids.add(r.id())) {
        throw new VoucherRejectedException(Reason.DUPLICATE_IN_BATCH, "receipt " + r.id() + " twice");
      }
    }
    VoucherBatch batch = VoucherBatch.of(request.receipts());
    Voucher unsigned = new Voucher(domain, payer, signerKey, nodeId, sequence, previousId,
        batch.lastTimestampMs(), batch.ordered().size(), batch.root().hash(), batch.root().sum(),
        batch.value(), total.add(batch.value()), Bytes.EMPTY);
    return unsigned.withSignature(Bytes.wrap(key.sign(unsigned.signingBytes())));
  }

  private void check(PaymentReceipt r, Optional<BatchMembership> membership, Bytes nodeId, long after, long latest) {
    if (!r.domain().equals(domain)) {
      throw new VoucherRejectedException(Reason.WRONG_DOMAIN, "receipt for " + r.domain());
    }
    if (!r.payer().equals(payer)) {
      throw new VoucherRejectedException(Reason.WRONG_PAYER, "receipt of payer " + r.payer()
          + "; this gateway aggregates for " + payer);
    }
    if (!r.nodeId().equals(nodeId)) {
      throw new VoucherRejectedException(Reason.WRONG_NODE,
          "receipt names another node than the one asking");
    }
    if (r.timestampMs() <= after) {
      throw new VoucherRejectedException(Reason.NOT_AFTER_PREVIOUS, "receipt timestamp "
          + r.timestampMs() + " is not after the previous voucher's " + after);
    }
    if (r.timestampMs() > latest) {
      throw new VoucherRejectedException(Reason.FUTURE_TIMESTAMP, "receipt from the future");
    }
    if (!r.signerKey().equals(signerKey)) {
      throw new VoucherRejectedException(Reason.UNKNOWN_SIGNER, "receipt not signed by this gateway");
    }
    // A batched receipt is accepted on its batch's signature (checked once per batch id) and its
    // path to the batch root; the batch must name the same signer, so it is this gateway's.
    if (!BatchMembership.receiptAuthentic(r, membership)) {
      throw new VoucherRejectedException(Reason.BAD_SIGNATURE, "receipt " + r.id()
          + (r.isSigned() ? " signature" : " batch signature or batch path"));
    }
  }

  /** The key this issuer signs with (must be an authorized signer of the payer on the ledger). */
  public Bytes signerKey() {
    return signerKey;
  }
}
