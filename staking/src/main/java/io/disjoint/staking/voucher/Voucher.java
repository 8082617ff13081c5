package io.disjoint.staking.voucher;

import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.CanonicalWriter;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.codec.Uint256;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.receipt.PaymentReceipt;
import java.math.BigInteger;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * A gateway-signed running total for one (payer, node) pair, as in The Graph's TAP: settlement
 * pays {@code valueTotal} minus what earlier vouchers already paid. Each voucher also commits to
 * the batch of receipts it added (Merkle-sum root over compute units, count, value), so a
 * disputed voucher can be traced to the receipts behind it.
 *
 * @param sequence 1 for the first voucher of the pair, then +1 each time
 * @param previousId id of the voucher this one extends (zero for the first)
 * @param lastTimestampMs the newest receipt timestamp covered; the next batch must be newer
 */
public record Voucher(
    NetworkDomain domain,
    Account payer,
    Bytes signerKey,
    Bytes nodeId,
    long sequence,
    Bytes32 previousId,
    long lastTimestampMs,
    long batchCount,
    Bytes32 batchRoot,
    long batchComputeUnits,
    BigInteger batchValue,
    BigInteger valueTotal,
    Bytes signature) {

  public static final String TAG = "disjoint/voucher/v1";

  public Voucher {
    if (domain == null || payer == null || previousId == null || batchRoot == null) {
      throw new IllegalArgumentException("domain, payer, previous id and batch root are required");
    }
    if (signerKey == null || signerKey.isEmpty() || signerKey.size() > PaymentReceipt.MAX_KEY_SIZE
        || nodeId == null || nodeId.isEmpty() || nodeId.size() > PaymentReceipt.MAX_NODE_ID_SIZE) {
      throw new IllegalArgumentException("signer key and node id sizes");
    }
    if (sequence < 1 || lastTimestampMs < 0 || batchCount < 1 || batchComputeUnits < 0) {
      throw new IllegalArgumentException("sequence >= 1, batch count >= 1, others >= 0");
    }
    Uint256.check(batchValue, "batch value");
    Uint256.check(valueTotal, "value total");
    if (valueTotal.compareTo(batchValue) < 0) {
      throw new IllegalArgumentException("value total below the batch value");
    }
    if (signature == null || signature.size() > PaymentReceipt.MAX_SIGNATURE_SIZE) {
      throw new IllegalArgumentException("signature size");
    }
  }

  public byte[] signingBytes() {
    return new CanonicalWriter(300)
        .ascii(TAG)
        .ascii(domain.networkId())
        .u16(domain.version())
        .fixed(payer.bytes())
        .shortBytes(signerKey)
        .shortBytes(nodeId)
        .u64(sequence)
        .fixed(previousId)
        .u64(lastTimestampMs)
        .u64(batchCount)
        .fixed(batchRoot)
        .u64(batchComputeUnits)
        .u256(batchValue)
        .u256(valueTotal)
        .toByteArray();
  }

  public Bytes32 id() {
    return Sha256.hash(signingBytes());
  }

  public byte[] encode() {
    byte[] body = signingBytes();
    return new CanonicalWriter(body.length + 1 + signature.size()).fixed(body).shortBytes(signature)
        .toByteArray();
  }

  public Voucher withSignature(Bytes sig) {
    return new Voucher(domain, payer, signerKey, nodeId, sequence, previousId, lastTimestampMs,
        batchCount, batchRoot, batchComputeUnits, batchValue, valueTotal, sig);
  }

  public static Voucher decode(byte[] wire) {
    return decode(new CanonicalReader(wire), true);
  }

  public static Voucher decode(CanonicalReader r, boolean whole) {
    r.expectTag(TAG);
    Voucher v;
    try {
      v = new Voucher(
          new NetworkDomain(r.ascii("network id", 64), r.u16("domain version")),
          new Account(r.fixedBytes("payer", Account.SIZE)),
          Bytes.wrap(r.shortBytes("signer key", 1, PaymentReceipt.MAX_KEY_SIZE)),
          Bytes.wrap(r.shortBytes("node id", 1, PaymentReceipt.MAX_NODE_ID_SIZE)),
          r.u63("sequence"),
          r.bytes32("previous id"),
          r.u63("last timestamp"),
          r.u63("batch count"),
          r.bytes32("batch root"),
          r.u63("batch compute units"),
          r.u256("batch value"),
          r.u256("value total"),
          Bytes.wrap(r.shortBytes("signature", 1, PaymentReceipt.MAX_SIGNATURE_SIZE)));
    } catch (IllegalArgumentException e) {
      throw new MalformedEncodingException("voucher: " + e.getMessage());
    }
    if (whole) {
      r.expectEnd("voucher");
    }
    return v;
  }
}
