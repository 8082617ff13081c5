package io.disjoint.node.payment;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.ReceiptSigner;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The gateway signs one receipt per relay request: for the serving peer, the chain and the
 * SHA-256 of exactly the payload it sends, worth {@code pricePerComputeUnit} x compute units.
 */
public final class ReceiptGatewayPayment implements GatewayPayment {
  private final ReceiptSigner signer;
  private final BigInteger pricePerComputeUnit;

  public ReceiptGatewayPayment(ReceiptSigner signer, BigInteger pricePerComputeUnit) {
    this.signer = Objects.requireNonNull(signer, "signer");
    this.pricePerComputeUnit = Objects.requireNonNull(pricePerComputeUnit, "pricePerComputeUnit");
  }

  @Override
  public byte[] receiptFor(String servingPeer, String chain, byte[] payload, int computeUnits) {
    return ReceiptSigner.encode(signer.issue(PeerId.parse(servingPeer), chain,
        Sha256.hash(payload).toArrayUnsafe(), computeUnits,
        pricePerComputeUnit.multiply(BigInteger.valueOf(computeUnits))));
  }
}
