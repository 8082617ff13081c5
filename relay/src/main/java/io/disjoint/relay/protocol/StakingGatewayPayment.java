package io.disjoint.relay.protocol;

import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.ReceiptSigner;
import java.math.BigInteger;

/**
 * Gateway-side payment with the staking module's receipts: each relay request carries a receipt
 * signed by the gateway's node key, naming the serving peer, the chain, SHA-256 of the exact
 * payload sent, the method's compute units and their price.
 */
public final class StakingGatewayPayment implements GatewayPayment {
  private final ReceiptSigner signer;
  private final BigInteger weiPerComputeUnit;

  public StakingGatewayPayment(ReceiptSigner signer, BigInteger weiPerComputeUnit) {
    if (weiPerComputeUnit.signum() < 0) {
      throw new IllegalArgumentException("weiPerComputeUnit must be >= 0");
    }
    this.signer = signer;
    this.weiPerComputeUnit = weiPerComputeUnit;
  }

  @Override
  public byte[] receiptFor(String servingPeer, String chain, byte[] payload, int computeUnits) {
    return ReceiptSigner.encode(signer.issue(PeerIds.parse(servingPeer), chain, Sha256.hash(payload).toArray(),
        computeUnits, weiPerComputeUnit.multiply(BigInteger.valueOf(computeUnits))));
  }
}
