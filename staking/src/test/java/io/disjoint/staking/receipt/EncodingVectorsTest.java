package io.disjoint.staking.receipt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.p2p.crypto.PrivKey;
import java.io.InputStream;
import io.disjoint.staking.voucher.Voucher;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;

/** The committed vectors (also printed in docs/receipts.md) must keep matching the code. */
class EncodingVectorsTest {
  private static ObjectNode vectors() throws Exception {
    try (InputStream in = EncodingVectorsTest.class.getResourceAsStream("/vectors/receipt.json")) {
      return (ObjectNode) new ObjectMapper().readTree(in);
    }
  }

  @Test
  void receiptVectorMatches() throws Exception {
    ObjectNode v = vectors();
    PrivKey gateway = EncodingVectors.key(v.get("gatewaySeed").asText());
    PaymentReceipt unsigned = EncodingVectors.receiptFrom((ObjectNode) v.get("receiptInput"));
    ObjectNode out = (ObjectNode) v.get("receipt");
    assertEquals(out.get("signingBytes").asText(), Bytes.wrap(unsigned.signingBytes()).toHexString());
    assertEquals(out.get("id").asText(), unsigned.id().toHexString());
    PaymentReceipt signed = unsigned.withSignature(Bytes.wrap(gateway.sign(unsigned.signingBytes())));
    assertEquals(out.get("signature").asText(), signed.signature().toHexString());
    byte[] wire = Bytes.fromHexString(out.get("wire").asText()).toArray();
    assertArrayEquals(wire, signed.encode());
    PaymentReceipt decoded = PaymentReceipt.decode(wire);
    assertEquals(signed, decoded);
    assertTrue(Signatures.verify(decoded.signerKey(), decoded.signingBytes(), decoded.signature()));
    assertEquals(v.get("receiptInput").get("nodePeerId").asText(),
        io.disjoint.p2p.crypto.PeerId.fromBytes(decoded.nodeId().toArray()).toString());
  }

  @Test
  void voucherVectorMatches() throws Exception {
    ObjectNode v = vectors();
    PaymentReceipt r = EncodingVectors.receiptFrom((ObjectNode) v.get("receiptInput"));
    Voucher unsigned = EncodingVectors.voucherFor(r);
    ObjectNode out = (ObjectNode) v.get("voucher");
    assertEquals(out.get("batchRoot").asText(), unsigned.batchRoot().toHexString());
    assertEquals(out.get("signingBytes").asText(), Bytes.wrap(unsigned.signingBytes()).toHexString());
    assertEquals(out.get("id").asText(), unsigned.id().toHexString());
    PrivKey gateway = EncodingVectors.key(v.get("gatewaySeed").asText());
    Voucher signed = unsigned.withSignature(Bytes.wrap(gateway.sign(unsigned.signingBytes())));
    assertEquals(out.get("signature").asText(), signed.signature().toHexString());
    byte[] wire = Bytes.fromHexString(out.get("wire").asText()).toArray();
    assertArrayEquals(wire, signed.encode());
    assertEquals(signed, Voucher.decode(wire));
  }

  @Test
  void attestationVectorMatches() throws Exception {
    ObjectNode v = vectors();
    PaymentReceipt r = EncodingVectors.receiptFrom((ObjectNode) v.get("receiptInput"));
    ResponseAttestation unsigned =
        EncodingVectors.attestationFrom((ObjectNode) v.get("attestationInput"), r);
    ObjectNode out = (ObjectNode) v.get("attestation");
    assertEquals(out.get("signingBytes").asText(), Bytes.wrap(unsigned.signingBytes()).toHexString());
    assertEquals(out.get("id").asText(), unsigned.id().toHexString());
    PrivKey node = EncodingVectors.key(v.get("nodeSeed").asText());
    ResponseAttestation signed = unsigned.withSignature(Bytes.wrap(node.sign(unsigned.signingBytes())));
    assertEquals(out.get("signature").asText(), signed.signature().toHexString());
    byte[] wire = Bytes.fromHexString(out.get("wire").asText()).toArray();
    assertArrayEquals(wire, signed.encode());
    assertEquals(signed, ResponseAttestation.decode(wire));
  }
}
