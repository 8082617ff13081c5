package io.disjoint.staking.receipt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.disjoint.staking.codec.MalformedEncodingException;
import io.disjoint.staking.testing.Fixtures;
import io.disjoint.staking.testing.MutableClock;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;

class ReceiptCodecTest {
  private static final PaymentReceipt RECEIPT =
      Fixtures.receipt(Fixtures.signer(new MutableClock(Fixtures.T0), 3), 1);
  private static final byte[] WIRE = RECEIPT.encode();

  @Test
  void roundTripsAndIdIgnoresTheSignature() {
    assertEquals(RECEIPT, PaymentReceipt.decode(WIRE));
    PaymentReceipt otherSig = RECEIPT.withSignature(Bytes.wrap(new byte[64]));
    assertEquals(RECEIPT.id(), otherSig.id());
    assertNotEquals(Bytes.wrap(RECEIPT.encode()), Bytes.wrap(otherSig.encode()));
  }

  @Test
  void everyTruncationIsRejectedAsMalformed() {
    for (int n = 0; n < WIRE.length; n++) {
      byte[] cut = Arrays.copyOf(WIRE, n);
      assertThrows(MalformedEncodingException.class, () -> PaymentReceipt.decode(cut), "length " + n);
    }
  }

  @Test
  void trailingBytesAndEmptySignatureAreRejected() {
    byte[] longer = Arrays.copyOf(WIRE, WIRE.length + 1);
    assertThrows(MalformedEncodingException.class, () -> PaymentReceipt.decode(longer));
    byte[] unsigned = RECEIPT.withSignature(Bytes.EMPTY).encode();
    assertThrows(MalformedEncodingException.class, () -> PaymentReceipt.decode(unsigned));
  }

  @Test
  void anAttestationIsNotAReceipt() {
    byte[] a = Fixtures.attest(RECEIPT).encode();
    MalformedEncodingException e =
        assertThrows(MalformedEncodingException.class, () -> PaymentReceipt.decode(a));
    assertEquals("tag: expected disjoint/receipt/v1, got disjoint/attestation/v1", e.getMessage());
  }

  /** A flipped byte either fails to decode or decodes to something whose re-encoding is itself. */
  @Property(tries = 2000)
  void mutatedBytesNeverDecodeToANonCanonicalReceipt(
      @ForAll @IntRange(min = 0, max = 10_000) int position, @ForAll byte xor) {
    byte[] m = WIRE.clone();
    m[position % m.length] ^= (xor == 0 ? 1 : xor);
    try {
      PaymentReceipt r = PaymentReceipt.decode(m);
      assertArrayEquals(m, r.encode());
      assertNotEquals(RECEIPT, r);
    } catch (MalformedEncodingException expected) {
      // rejected: fine
    }
  }
}
