package io.disjoint.staking.receipt;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.codec.Uint256;
import java.math.BigInteger;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * A payment receipt: the gateway's signed promise to pay {@code value} for one relayed request.
 * The byte layout is in docs/receipts.md; {@link #signingBytes()} is what is signed and hashed,
 * {@link #encode()} appends the signature.
 *
 * @param signerKey the gateway signer's public key in the libp2p protobuf encoding; the ledger
 *     binds it to {@code payer}
 * @param nodeId the serving node's peer id bytes (multihash)
 * @param value amount in the network's smallest token unit (wei), unsigned 256-bit
 * @param signature over {@link #signingBytes()}; empty only before signing
 */
public record PaymentReceipt(
    NetworkDomain domain,
    Account payer,
    Bytes signerKey,
    Bytes nodeId,
    String chain,
    long epoch,
    long timestampMs,
    Bytes nonce,
    Bytes32 requestHash,
    long computeUnits,
    BigInteger value,
    Bytes signature) {

  public static final String TAG = "disjoint/receipt/v1";
  public static final int NONCE_SIZE = 16;
  public static final int MAX_KEY_SIZE = 100;
  public static final int MAX_NODE_ID_SIZE = 64;
  public static final int MAX_SIGNATURE_SIZE = 255;

  public PaymentReceipt {
    if (domain == null || payer == null) {
      throw new IllegalArgumentException("domain and payer are required");
    }
    checkSize(signerKey, 1, MAX_KEY_SIZE, "signer key");
    checkSize(nodeId, 1, MAX_NODE_ID_SIZE, "node id");
    Caip2.check(chain);
    if (epoch < 0 || timestampMs < 0 || computeUnits < 0) {
      throw new IllegalArgumentException("epoch, timestamp and compute units must be >= 0");
    }
    checkSize(nonce, NONCE_SIZE, NONCE_SIZE, "nonce");
    if (requestHash == null) {
      throw new IllegalArgumentException("request hash is required");
    }
    Uint256.check(value, "value");
    checkSize(signature, 0, MAX_SIGNATURE_SIZE, "signature");
  }

  static void checkSize(Bytes b, int min, int max, String field) {
    if (b == null || b.size() < min || b.size() > max) {
      throw new IllegalArgumentException(
          field + " must be " + min + ".." + max + " bytes, got " + (b == null ? "none" : b.size()));
    }
  }

  /** The canonical encoding of every field except the signature: what is signed and hashed. */
  public byte[] signingBytes() {
    CanonicalWriter w = new CanonicalWriter(256);
    w.ascii(TAG)
        .ascii(domain.networkId())
        .u16(domain.version())
        .fixed(payer.bytes())
        .shortBytes(signerKey)
        .shortBytes(nodeId)
        .ascii(chain)
        .u64(epoch)
        .u64(timestampMs)
        .fixed(nonce)
        .fixed(requestHash)
        .u64(computeUnits)
        .u256(value);
    return w.toByteArray();
  }

  /** Unique id: SHA-256 of the signing bytes (never of the signature, which may vary). */
  public Bytes32 id() {
    return Sha256.hash(signingBytes());
  }

  /** The wire form: signing bytes, then a one-byte signature length and the signature. */
  public byte[] encode() {
    byte[] body = signingBytes();
    CanonicalWriter w = new CanonicalWriter(body.length + 1 + signature.size());
    return w.fixed(body).shortBytes(signature).toByteArray();
  }

  public PaymentReceipt withSignature(Bytes sig) {
    return new PaymentReceipt(
        domain, payer, signerKey, nodeId, chain, epoch, timestampMs, nonce, requestHash,
        computeUnits, value, sig);
  }

  /** Whether the receipt carries its own signature (a batched receipt does not: its batch signs). */
  public boolean isSigned() {
    return !signature.isEmpty();
  }

  /** A signed receipt's wire form; an empty signature is refused. */
  public static PaymentReceipt decode(byte[] wire) {
    return decode(new CanonicalReader(wire), true);
  }

  /**
   * A receipt's wire form where the signature may be empty ({@code 00}): a batched receipt on the
   * relay path or in the store, which a {@link ReceiptBatch} signs for.
   */
  public static PaymentReceipt decodeMaybeBatched(byte[] wire) {
    CanonicalReader r = new CanonicalReader(wire);
    PaymentReceipt receipt = decodeFields(r, 0);
    r.expectEnd("receipt");
    return receipt;
  }

  /** Reads one receipt from {@code r}; with {@code whole} the input must end after it. */
  public static PaymentReceipt decode(CanonicalReader r, boolean whole) {
    PaymentReceipt receipt = decodeFields(r, 1);
    if (whole) {
      r.expectEnd("receipt");
    }
    return receipt;
  }

  private static PaymentReceipt decodeFields(CanonicalReader r, int minSignature) {
    r.expectTag(TAG);
    NetworkDomain domain;
    String chain;
    PaymentReceipt receipt;
    try {
      String network = r.ascii("network id", 64);
      int version = r.u16("domain version");
      domain = new NetworkDomain(network, version);
      Account payer = new Account(r.fixedBytes("payer", Account.SIZE));
      Bytes signer = Bytes.wrap(r.shortBytes("signer key", 1, MAX_KEY_SIZE));
      Bytes node = Bytes.wrap(r.shortBytes("node id", 1, MAX_NODE_ID_SIZE));
      chain = r.ascii("chain", 42);
      long epoch = r.u63("epoch");
      long ts = r.u63("timestamp");
      Bytes nonce = r.fixedBytes("nonce", NONCE_SIZE);
      Bytes32 request = r.bytes32("request hash");
      long cu = r.u63("compute units");
      BigInteger value = r.u256("value");
      Bytes sig = Bytes.wrap(r.shortBytes("signature", minSignature, MAX_SIGNATURE_SIZE));
      receipt =
          new PaymentReceipt(domain, payer, signer, node, chain, epoch, ts, nonce, request, cu,
              value, sig);
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("receipt: " + e.getMessage());
    }
    return receipt;
  }
}
