package io.disjoint.staking.receipt;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import java.math.BigInteger;
import java.time.Clock;
import java.util.random.RandomGenerator;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Gateway side: issues signed payment receipts for one payer. Thread-safe if the random
 * generator is (SecureRandom is).
 */
public final class ReceiptSigner {
  private final PrivKey key;
  private final Bytes signerKey;
  private final NetworkDomain domain;
  private final Account payer;
  private final EpochSchedule epochs;
  private final Clock clock;
  private final RandomGenerator random;

  public ReceiptSigner(PrivKey key, NetworkDomain domain, Account payer, EpochSchedule epochs,
      Clock clock, RandomGenerator random) {
    this.key = key;
    this.signerKey = Bytes.wrap(key.publicKey().marshal());
    this.domain = domain;
    this.payer = payer;
    this.epochs = epochs;
    this.clock = clock;
    this.random = random;
  }

  public Account payer() {
    return payer;
  }

  /** The marshalled public key receipts name as signer; register it with the ledger for the payer. */
  public Bytes signerKey() {
    return signerKey;
  }

  /**
   * A signed receipt promising {@code value} (wei) for relaying one request to {@code node}.
   *
   * @param requestHash SHA-256 of the request body as sent to the node (32 bytes)
   */
  public PaymentReceipt issue(PeerId node, String chain, byte[] requestHash, long computeUnits,
      BigInteger value) {
    PaymentReceipt unsigned = issueUnsigned(node, chain, requestHash, computeUnits, value);
    return unsigned.withSignature(Bytes.wrap(key.sign(unsigned.signingBytes())));
  }

  /**
   * The same receipt without its signature, for a {@link ReceiptBatch} to sign later
   * ({@link ReceiptBatcher}).
   */
  public PaymentReceipt issueUnsigned(PeerId node, String chain, byte[] requestHash, long computeUnits,
      BigInteger value) {
    if (requestHash == null || requestHash.length != 32) {
      throw new IllegalArgumentException("request hash must be 32 bytes");
    }
    long now = clock.millis();
    byte[] nonce = new byte[PaymentReceipt.NONCE_SIZE];
    random.nextBytes(nonce);
    return new PaymentReceipt(domain, payer, signerKey, Bytes.wrap(node.bytes()),
        chain, epochs.epochAt(now), now, Bytes.wrap(nonce), Bytes32.wrap(requestHash.clone()),
        computeUnits, value, Bytes.EMPTY);
  }

  /** Signs the batch of {@code receiptIds} (in leaf order) sent to {@code node}. */
  public ReceiptBatchMessage signBatch(Bytes nodeId, long sequence, java.util.List<Bytes32> receiptIds) {
    ReceiptBatch unsigned = new ReceiptBatch(domain, payer, signerKey, nodeId, sequence,
        receiptIds.size(), io.disjoint.staking.merkle.BatchTree.root(receiptIds), Bytes.EMPTY);
    return new ReceiptBatchMessage(unsigned.withSignature(Bytes.wrap(key.sign(unsigned.signingBytes()))),
        receiptIds);
  }

  /** Wire bytes of a receipt (what travels in the relay request). */
  public static byte[] encode(PaymentReceipt receipt) {
    return receipt.encode();
  }
}
