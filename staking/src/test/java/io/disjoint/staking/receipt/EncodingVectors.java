package io.disjoint.staking.receipt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.p2p.crypto.Ed25519PrivateKey;
import io.disjoint.p2p.crypto.PrivKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import io.disjoint.staking.merkle.SumNode;
import io.disjoint.staking.voucher.Voucher;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Builds the committed encoding vectors from fixed inputs. {@code main} rewrites
 * src/test/resources/vectors/*.json (run it only when the format changes on purpose);
 * {@link EncodingVectorsTest} recomputes and compares.
 */
public final class EncodingVectors {
  static final HexFormat HEX = HexFormat.of();
  static final String GATEWAY_SEED = "0101010101010101010101010101010101010101010101010101010101010101";
  static final String NODE_SEED = "0202020202020202020202020202020202020202020202020202020202020202";
  static final String REQUEST = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}";
  static final String RESPONSE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1406f40\"}";

  private EncodingVectors() {}

  static byte[] sha256(String s) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
  }

  static PrivKey key(String seedHex) {
    return Ed25519PrivateKey.fromSeed(HEX.parseHex(seedHex));
  }

  /** Inputs of the receipt vector, read from JSON so the test does not share code paths. */
  static PaymentReceipt receiptFrom(ObjectNode in) {
    return new PaymentReceipt(
        new NetworkDomain(in.get("networkId").asText(), in.get("version").asInt()),
        Account.fromHex(in.get("payer").asText()),
        Bytes.fromHexString(in.get("signerKey").asText()),
        Bytes.fromHexString(in.get("nodeId").asText()),
        in.get("chain").asText(),
        in.get("epoch").asLong(),
        in.get("timestampMs").asLong(),
        Bytes.fromHexString(in.get("nonce").asText()),
        Bytes32.fromHexString(in.get("requestHash").asText()),
        in.get("computeUnits").asLong(),
        new BigInteger(in.get("value").asText()),
        Bytes.EMPTY);
  }

  static ResponseAttestation attestationFrom(ObjectNode in, PaymentReceipt r) {
    return new ResponseAttestation(
        r.domain(), r.id(), Bytes.fromHexString(in.get("signerKey").asText()), r.chain(),
        r.requestHash(), Bytes32.fromHexString(in.get("responseHash").asText()),
        in.get("blockNumber").asLong(), Bytes32.fromHexString(in.get("blockHash").asText()),
        Bytes.EMPTY);
  }

  /** The first voucher over a batch holding only {@code r}. */
  static Voucher voucherFor(PaymentReceipt r) {
    SumNode leaf = SumNode.receiptLeaf(r.id(), r.computeUnits());
    return new Voucher(r.domain(), r.payer(), r.signerKey(), r.nodeId(), 1, Bytes32.ZERO,
        r.timestampMs(), 1, leaf.hash(), leaf.sum(), r.value(), r.value(), Bytes.EMPTY);
  }

  static ObjectNode build() throws Exception {
    ObjectMapper json = new ObjectMapper();
    PrivKey gateway = key(GATEWAY_SEED);
    PrivKey node = key(NODE_SEED);
    ObjectNode root = json.createObjectNode();
    root.put("description", "Disjoint receipt/attestation canonical encoding, Ed25519 keys from"
        + " fixed 32-byte seeds; signatures are deterministic (RFC 8032)");
    root.put("gatewaySeed", GATEWAY_SEED);
    root.put("nodeSeed", NODE_SEED);
    ObjectNode in = root.putObject("receiptInput");
    in.put("networkId", "disjoint-testnet");
    in.put("version", 1);
    in.put("payer", "0x" + "ab".repeat(20));
    in.put("signerKey", Bytes.wrap(gateway.publicKey().marshal()).toHexString());
    in.put("nodeId", Bytes.wrap(node.peerId().bytes()).toHexString());
    in.put("nodePeerId", node.peerId().toString());
    in.put("chain", "eip155:1");
    in.put("epoch", 498611);
    in.put("timestampMs", 1795000000000L);
    in.put("nonce", "0x000102030405060708090a0b0c0d0e0f");
    in.put("requestHash", Bytes.wrap(sha256(REQUEST)).toHexString());
    in.put("request", REQUEST);
    in.put("computeUnits", 10);
    in.put("value", "1000000000000000");
    PaymentReceipt unsigned = receiptFrom(in);
    PaymentReceipt r = unsigned.withSignature(Bytes.wrap(gateway.sign(unsigned.signingBytes())));
    ObjectNode out = root.putObject("receipt");
    out.put("signingBytes", Bytes.wrap(r.signingBytes()).toHexString());
    out.put("id", r.id().toHexString());
    out.put("signature", r.signature().toHexString());
    out.put("wire", Bytes.wrap(r.encode()).toHexString());

    ObjectNode ain = root.putObject("attestationInput");
    ain.put("signerKey", Bytes.wrap(node.publicKey().marshal()).toHexString());
    ain.put("response", RESPONSE);
    ain.put("responseHash", Bytes.wrap(sha256(RESPONSE)).toHexString());
    ain.put("blockNumber", 21000000);
    ain.put("blockHash", "0x" + "cd".repeat(32));
    ResponseAttestation ua = attestationFrom(ain, r);
    ResponseAttestation a = ua.withSignature(Bytes.wrap(node.sign(ua.signingBytes())));
    ObjectNode aout = root.putObject("attestation");
    aout.put("signingBytes", Bytes.wrap(a.signingBytes()).toHexString());
    aout.put("id", a.id().toHexString());
    aout.put("signature", a.signature().toHexString());
    aout.put("wire", Bytes.wrap(a.encode()).toHexString());

    Voucher uv = voucherFor(r);
    Voucher v = uv.withSignature(Bytes.wrap(gateway.sign(uv.signingBytes())));
    ObjectNode vout = root.putObject("voucher");
    vout.put("note", "sequence 1 over a batch of the one receipt above; batchRoot is its receipt leaf");
    vout.put("batchRoot", v.batchRoot().toHexString());
    vout.put("signingBytes", Bytes.wrap(v.signingBytes()).toHexString());
    vout.put("id", v.id().toHexString());
    vout.put("signature", v.signature().toHexString());
    vout.put("wire", Bytes.wrap(v.encode()).toHexString());
    return root;
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "staking/src/test/resources/vectors/receipt.json");
    Files.writeString(out, new ObjectMapper().writerWithDefaultPrettyPrinter()
        .writeValueAsString(build()) + "\n");
    System.out.println("wrote " + out);
  }
}
