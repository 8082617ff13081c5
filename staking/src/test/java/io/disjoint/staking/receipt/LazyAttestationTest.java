package io.disjoint.staking.receipt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.staking.claim.ClaimProof;
import io.disjoint.staking.codec.CanonicalReader;
import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.merkle.MerkleSumProof;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.MutableClock;
import java.util.Arrays;
import java.util.List;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;

/**
 * Attestations computed without a signature: same id as the signed one (so claim leaves need no
 * signature), a stored form with an explicit "not yet signed" marker that the wire decoder
 * refuses, and signing later gives exactly what signing at once gives.
 */
class LazyAttestationTest {
  private final PaymentReceipt receipt = Fixtures.receipt(Fixtures.signer(new MutableClock(Fixtures.T0), 3), 1);
  private final AttestationSigner signer = new AttestationSigner(Fixtures.nodeKey(), Fixtures.DOMAIN);

  private ResponseAttestation unsigned() {
    return signer.unsigned(receipt, Fixtures.hash("response"), 21_000_000L, Fixtures.hash("block"));
  }

  @Test
  void theIdDoesNotDependOnTheSignature() {
    ResponseAttestation lazy = unsigned();
    ResponseAttestation signedNow = signer.attest(receipt, Fixtures.hash("response"), 21_000_000L, Fixtures.hash("block"));
    assertFalse(lazy.isSigned());
    assertTrue(signedNow.isSigned());
    assertEquals(signedNow.id(), lazy.id());
    assertEquals(signedNow, signer.sign(lazy), "Ed25519 is deterministic: signing later gives the same attestation");
    ReceiptVerifier.checkAttestation(receipt, signer.sign(lazy));
  }

  @Test
  void storedFormMarksTheMissingSignatureAndOnlyTheStoreDecoderAcceptsIt() {
    ResponseAttestation lazy = unsigned();
    byte[] stored = lazy.encode();
    byte[] signing = lazy.signingBytes();
    assertEquals(signing.length + 1, stored.length);
    assertArrayEquals(signing, Arrays.copyOf(stored, signing.length));
    assertEquals(0, stored[stored.length - 1], "zero-length signature = not yet signed");

    assertThrows(MalformedEncodingException.class, () -> ResponseAttestation.decode(stored),
        "the wire form always carries a signature");
    ResponseAttestation back = ResponseAttestation.decodeStored(new CanonicalReader(stored), true);
    assertEquals(lazy, back);
    assertFalse(back.isSigned());

    ResponseAttestation signed = signer.sign(lazy);
    assertEquals(signed, ResponseAttestation.decodeStored(new CanonicalReader(signed.encode()), true));
    assertEquals(signed, ResponseAttestation.decode(signed.encode()));
  }

  @Test
  void anUnsignedAttestationFailsTheAttestationCheck() {
    ReceiptRejectedException e = assertThrows(ReceiptRejectedException.class,
        () -> ReceiptVerifier.checkAttestation(receipt, unsigned()));
    assertEquals(ReceiptRejectedException.Reason.BAD_SIGNATURE, e.reason());
  }

  @Test
  void aNodeSignsOnlyItsOwnAttestations() {
    AttestationSigner other = new AttestationSigner(Fixtures.key("node-2"), Fixtures.DOMAIN);
    assertThrows(IllegalArgumentException.class, () -> other.sign(unsigned()));
    AttestationSigner otherNetwork = new AttestationSigner(Fixtures.nodeKey(), new NetworkDomain("elsewhere", 1));
    assertThrows(IllegalArgumentException.class, () -> otherNetwork.sign(unsigned()));
    ResponseAttestation signed = signer.sign(unsigned());
    assertEquals(signed, signer.sign(signed), "an already signed attestation is returned as is");
  }

  @Test
  void aClaimProofNeedsASignedAttestation() {
    MerkleSumProof path = new MerkleSumProof(0, 1, List.of());
    Bytes node = Bytes.wrap(Fixtures.nodeKey().peerId().bytes());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ClaimProof(receipt.epoch(), node, Fixtures.PAYER, 0, receipt, unsigned(), path));
    assertTrue(e.getMessage().contains("signed attestation"), e.getMessage());
    new ClaimProof(receipt.epoch(), node, Fixtures.PAYER, 0, receipt, signer.sign(unsigned()), path);
  }
}
