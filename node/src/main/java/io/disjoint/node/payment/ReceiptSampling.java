package io.disjoint.node.payment;

import io.disjoint.relay.protocol.StakingGatewayPayment;
import io.disjoint.staking.receipt.SignatureSampler;

/**
 * How much signature work a paid relay does (docs/receipts.md, "Sampled verification and lazy
 * attestations").
 *
 * @param verifyOneIn the serving node checks one receipt signature in this many on the relay
 *     path (1 = every receipt); the rest are verified before they enter an epoch claim
 * @param verifyFirstPerGateway the first receipts of each gateway are always checked
 * @param auditOneIn a gateway asks for a signed attestation on one ordinary relay in this many
 *     (quorum calls always ask)
 * @param batchSignatures a gateway sends receipts unsigned and signs one receipt batch per serving
 *     peer (every 256 receipts or 20 ms) instead of each receipt; off: every receipt signed on its
 *     own (what older nodes need; a batching gateway also falls back per peer by itself when a
 *     node refuses an unsigned receipt). Serving nodes always take both.
 */
public record ReceiptSampling(int verifyOneIn, int verifyFirstPerGateway, int auditOneIn, boolean batchSignatures) {
  public static final ReceiptSampling DEFAULTS = new ReceiptSampling(SignatureSampler.DEFAULT_ONE_IN,
      SignatureSampler.DEFAULT_FIRST_PER_SENDER, StakingGatewayPayment.DEFAULT_AUDIT_ONE_IN);
  /** Every receipt verified on the relay path and every attestation signed (the strict setting). */
  public static final ReceiptSampling EVERYTHING = new ReceiptSampling(1, 0, 1);

  /** With batched gateway signatures on (the default). */
  public ReceiptSampling(int verifyOneIn, int verifyFirstPerGateway, int auditOneIn) {
    this(verifyOneIn, verifyFirstPerGateway, auditOneIn, true);
  }

  /** The same settings with batched gateway signatures on or off ({@code --receipt-batch on|off}). */
  public ReceiptSampling withBatchSignatures(boolean on) {
    return new ReceiptSampling(verifyOneIn, verifyFirstPerGateway, auditOneIn, on);
  }

  public ReceiptSampling {
    if (verifyOneIn < 1) {
      throw new IllegalArgumentException("--receipt-verify-one-in must be >= 1, got " + verifyOneIn);
    }
    if (verifyFirstPerGateway < 0) {
      throw new IllegalArgumentException("--receipt-verify-first must be >= 0, got " + verifyFirstPerGateway);
    }
    if (auditOneIn < 1) {
      throw new IllegalArgumentException("--receipt-audit-one-in must be >= 1, got " + auditOneIn);
    }
  }
}
