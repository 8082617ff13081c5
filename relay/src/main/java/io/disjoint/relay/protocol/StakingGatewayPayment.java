package io.disjoint.relay.protocol;

import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.ResponseAttestation;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway-side payment with the staking module's receipts: each relay request carries a receipt
 * signed by the gateway's node key, naming the serving peer, the chain, SHA-256 of the exact
 * payload sent, the method's compute units and their price.
 *
 * <p>Signed attestations are asked for where they are used: on every call that may become
 * evidence (quorum reads) and on a random audit share of the others (one in {@code auditOneIn}).
 * An attestation that comes back is checked against its receipt (same receipt, chain, request,
 * signed by the serving node); one that fails is counted and logged: that node answered with a
 * statement it did not sign correctly.
 */
public final class StakingGatewayPayment implements GatewayPayment {
  private static final Logger log = LoggerFactory.getLogger(StakingGatewayPayment.class);
  /** Default audit share: one signed attestation in this many ordinary (non-evidence) relays. */
  public static final int DEFAULT_AUDIT_ONE_IN = 64;

  private final ReceiptSigner signer;
  private final BigInteger weiPerComputeUnit;
  private final int auditOneIn;
  private final Random random;
  private final LongAdder attestationsChecked = new LongAdder();
  private final LongAdder badAttestations = new LongAdder();

  /** Asks for a signed attestation on every relay. */
  public StakingGatewayPayment(ReceiptSigner signer, BigInteger weiPerComputeUnit) {
    this(signer, weiPerComputeUnit, 1, new Random(0));
  }

  /**
   * @param auditOneIn ask for a signed attestation on one ordinary relay in this many (1 = all)
   * @param random draws the audits (unpredictable to nodes in production: a SecureRandom)
   */
  public StakingGatewayPayment(ReceiptSigner signer, BigInteger weiPerComputeUnit, int auditOneIn, Random random) {
    if (weiPerComputeUnit.signum() < 0) {
      throw new IllegalArgumentException("weiPerComputeUnit must be >= 0");
    }
    if (auditOneIn < 1) {
      throw new IllegalArgumentException("attestation audit share (one in N) must be N >= 1: " + auditOneIn);
    }
    this.signer = signer;
    this.weiPerComputeUnit = weiPerComputeUnit;
    this.auditOneIn = auditOneIn;
    this.random = Objects.requireNonNull(random, "random");
  }

  @Override
  public byte[] receiptFor(String servingPeer, String chain, byte[] payload, int computeUnits) {
    return ReceiptSigner.encode(signer.issue(PeerIds.parse(servingPeer), chain, Sha256.hash(payload).toArray(),
        computeUnits, weiPerComputeUnit.multiply(BigInteger.valueOf(computeUnits))));
  }

  @Override
  public boolean wantsSignedAttestation(boolean evidence) {
    return evidence || auditOneIn == 1 || random.nextInt(auditOneIn) == 0;
  }

  @Override
  public void onAttestation(String servingPeer, byte[] receipt, byte[] attestation) {
    attestationsChecked.increment();
    try {
      PaymentReceipt r = ReceiptVerifier.decode(receipt);
      ReceiptVerifier.checkAttestation(r, ResponseAttestation.decode(attestation));
    } catch (RuntimeException e) {
      badAttestations.increment();
      log.warn("serving peer {} returned an attestation that does not check: {}", servingPeer, e.getMessage());
    }
  }

  /** Attestations received and checked so far. */
  public long attestationsChecked() {
    return attestationsChecked.sum();
  }

  /** Attestations that failed their check (wrong receipt, signer or signature). */
  public long badAttestations() {
    return badAttestations.sum();
  }
}
