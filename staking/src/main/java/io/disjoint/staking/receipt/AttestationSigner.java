package io.disjoint.staking.receipt;

import io.disjoint.p2p.crypto.PrivKey;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Node side: builds the response attestation of each relayed answer and signs it when asked.
 * Building costs an encoding (no hash, no signature); signing costs one signature (~28 us with
 * Bouncy Castle Ed25519). The attestation id does not depend on the signature, so an unsigned
 * attestation can be stored and committed to in a claim and signed later, when a gateway asks
 * for evidence or a claim proof needs it.
 */
public final class AttestationSigner {
  private final PrivKey nodeKey;
  private final Bytes signerKey;
  private final NetworkDomain domain;

  public AttestationSigner(PrivKey nodeKey, NetworkDomain domain) {
    this.nodeKey = nodeKey;
    this.signerKey = Bytes.wrap(nodeKey.publicKey().marshal());
    this.domain = domain;
  }

  /**
   * The signed attestation.
   *
   * @param responseHash SHA-256 of the response body (32 bytes)
   * @param blockNumber block the answer was computed at (the node's head if not pinned)
   * @param blockHash that block's hash (32 bytes)
   */
  public ResponseAttestation attest(PaymentReceipt receipt, byte[] responseHash, long blockNumber,
      byte[] blockHash) {
    return sign(unsigned(receipt, responseHash, blockNumber, blockHash));
  }

  /** The attestation without its signature (see {@link #sign}); same arguments as {@link #attest}. */
  public ResponseAttestation unsigned(PaymentReceipt receipt, byte[] responseHash, long blockNumber,
      byte[] blockHash) {
    return unsigned(receipt.id(), receipt, responseHash, blockNumber, blockHash);
  }

  /**
   * As {@link #unsigned(PaymentReceipt, byte[], long, byte[])} with the receipt id the caller
   * already computed (the relay path has it from the policy check; hashing it again costs an
   * encoding and a SHA-256).
   */
  public ResponseAttestation unsigned(Bytes32 receiptId, PaymentReceipt receipt, byte[] responseHash,
      long blockNumber, byte[] blockHash) {
    if (responseHash == null || responseHash.length != 32 || blockHash == null
        || blockHash.length != 32) {
      throw new IllegalArgumentException("response hash and block hash must be 32 bytes");
    }
    return new ResponseAttestation(domain, receiptId, signerKey, receipt.chain(),
        receipt.requestHash(), Bytes32.wrap(responseHash.clone()), blockNumber,
        Bytes32.wrap(blockHash.clone()), Bytes.EMPTY);
  }

  /**
   * Signs an attestation this node built (returned unchanged if already signed).
   *
   * @throws IllegalArgumentException if it names another signer key or domain
   */
  public ResponseAttestation sign(ResponseAttestation attestation) {
    if (!attestation.signerKey().equals(signerKey) || !attestation.domain().equals(domain)) {
      throw new IllegalArgumentException("attestation is not this node's (signer key or domain differs)");
    }
    if (attestation.isSigned()) {
      return attestation;
    }
    return attestation.withSignature(Bytes.wrap(nodeKey.sign(attestation.signingBytes())));
  }

  /** This node's key in the libp2p protobuf encoding, as attestations carry it. */
  public Bytes signerKey() {
    return signerKey;
  }
}
