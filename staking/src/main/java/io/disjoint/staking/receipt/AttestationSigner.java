package io.disjoint.staking.receipt;

import io.disjoint.p2p.crypto.PrivKey;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/** Node side: signs the response attestation returned with each relayed answer. */
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
   * @param responseHash SHA-256 of the response body (32 bytes)
   * @param blockNumber block the answer was computed at (the node's head if not pinned)
   * @param blockHash that block's hash (32 bytes)
   */
  public ResponseAttestation attest(PaymentReceipt receipt, byte[] responseHash, long blockNumber,
      byte[] blockHash) {
    if (responseHash == null || responseHash.length != 32 || blockHash == null
        || blockHash.length != 32) {
      throw new IllegalArgumentException("response hash and block hash must be 32 bytes");
    }
    ResponseAttestation unsigned = new ResponseAttestation(domain, receipt.id(), signerKey,
        receipt.chain(), receipt.requestHash(), Bytes32.wrap(responseHash.clone()), blockNumber,
        Bytes32.wrap(blockHash.clone()), Bytes.EMPTY);
    return unsigned.withSignature(Bytes.wrap(nodeKey.sign(unsigned.signingBytes())));
  }
}
