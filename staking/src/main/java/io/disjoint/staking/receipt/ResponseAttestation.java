package io.disjoint.staking.receipt;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.codec.Sha256;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * The serving node's signed statement "for receipt X, on chain C, the answer to request R at
 * block N (hash B) hashes to H". Two of these by one node with equal (chain, request, block) and
 * different response hashes are proof of lying (slashable).
 *
 * <p>The id is SHA-256 of the signing bytes, not of the signature, so a node can compute the
 * attestation (and commit to its id in an epoch claim leaf) without signing it; it signs only
 * when the gateway asks for a signed answer or when a claim proof needs one. An attestation
 * with an empty signature is such a not-yet-signed one: {@link #encode} writes it with a
 * zero-length signature (the receipt store's "not yet signed" marker), which {@link #decode}
 * (the wire form) refuses and only {@link #decodeStored} accepts.
 *
 * @param signerKey the node's public key in the libp2p protobuf encoding; its peer id must equal
 *     the receipt's node id
 */
public record ResponseAttestation(
    NetworkDomain domain,
    Bytes32 receiptId,
    Bytes signerKey,
    String chain,
    Bytes32 requestHash,
    Bytes32 responseHash,
    long blockNumber,
    Bytes32 blockHash,
    Bytes signature) {

  public static final String TAG = "disjoint/attestation/v1";

  public ResponseAttestation {
    if (domain == null || receiptId == null || requestHash == null || responseHash == null
        || blockHash == null) {
      throw new IllegalArgumentException("domain, receipt id and hashes are required");
    }
    PaymentReceipt.checkSize(signerKey, 1, PaymentReceipt.MAX_KEY_SIZE, "signer key");
    Caip2.check(chain);
    if (blockNumber < 0) {
      throw new IllegalArgumentException("block number must be >= 0");
    }
    PaymentReceipt.checkSize(signature, 0, PaymentReceipt.MAX_SIGNATURE_SIZE, "signature");
  }

  public byte[] signingBytes() {
    return new CanonicalWriter(256)
        .ascii(TAG)
        .ascii(domain.networkId())
        .u16(domain.version())
        .fixed(receiptId)
        .shortBytes(signerKey)
        .ascii(chain)
        .fixed(requestHash)
        .fixed(responseHash)
        .u64(blockNumber)
        .fixed(blockHash)
        .toByteArray();
  }

  /** Whether this attestation carries a signature (false: computed but not yet signed). */
  public boolean isSigned() {
    return !signature.isEmpty();
  }

  public Bytes32 id() {
    return Sha256.hash(signingBytes());
  }

  /**
   * Signing bytes || {@code short} signature. A signed attestation gives its wire form; an
   * unsigned one gives the stored form with a zero-length signature (the "not yet signed"
   * marker), which only {@link #decodeStored} reads back.
   */
  public byte[] encode() {
    byte[] body = signingBytes();
    return new CanonicalWriter(body.length + 1 + signature.size())
        .fixed(body)
        .shortBytes(signature)
        .toByteArray();
  }

  public ResponseAttestation withSignature(Bytes sig) {
    return new ResponseAttestation(
        domain, receiptId, signerKey, chain, requestHash, responseHash, blockNumber, blockHash,
        sig);
  }

  /** Same node, same question, same block, different answer. */
  public boolean contradicts(ResponseAttestation other) {
    return signerKey.equals(other.signerKey)
        && domain.equals(other.domain)
        && chain.equals(other.chain)
        && requestHash.equals(other.requestHash)
        && blockNumber == other.blockNumber
        && blockHash.equals(other.blockHash)
        && !responseHash.equals(other.responseHash);
  }

  public static ResponseAttestation decode(byte[] wire) {
    return decode(new CanonicalReader(wire), true);
  }

  /** The wire form: the signature must be present (1..255 bytes). */
  public static ResponseAttestation decode(CanonicalReader r, boolean whole) {
    return decode(r, whole, 1);
  }

  /**
   * The receipt store's form: as the wire form, but a zero-length signature is accepted and
   * yields an unsigned attestation ({@link #isSigned} false).
   */
  public static ResponseAttestation decodeStored(CanonicalReader r, boolean whole) {
    return decode(r, whole, 0);
  }

  private static ResponseAttestation decode(CanonicalReader r, boolean whole, int minSignature) {
    r.expectTag(TAG);
    ResponseAttestation a;
    try {
      NetworkDomain domain = new NetworkDomain(r.ascii("network id", 64), r.u16("domain version"));
      Bytes32 receiptId = r.bytes32("receipt id");
      Bytes signer = Bytes.wrap(r.shortBytes("signer key", 1, PaymentReceipt.MAX_KEY_SIZE));
      String chain = r.ascii("chain", 42);
      Bytes32 request = r.bytes32("request hash");
      Bytes32 response = r.bytes32("response hash");
      long block = r.u63("block number");
      Bytes32 blockHash = r.bytes32("block hash");
      Bytes sig =
          Bytes.wrap(r.shortBytes("signature", minSignature, PaymentReceipt.MAX_SIGNATURE_SIZE));
      a = new ResponseAttestation(domain, receiptId, signer, chain, request, response, block,
          blockHash, sig);
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("attestation: " + e.getMessage());
    }
    if (whole) {
      r.expectEnd("attestation");
    }
    return a;
  }
}
