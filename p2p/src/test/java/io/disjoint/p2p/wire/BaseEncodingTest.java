package io.disjoint.p2p.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class BaseEncodingTest {
  @Test
  void base58MatchesKnownEncodings() {
    // multibase spec test vectors (base58btc, without the 'z' prefix)
    assertEquals("2NEpo7TZRRrLZSi2U", Base58.encode("Hello World!".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("11111", Base58.encode(new byte[5]));
    assertArrayEquals(HexFormat.of().parseHex("00000000"), Base58.decode("1111"));
    assertThrows(DecodeException.class, () -> Base58.decode("0OIl"));
  }

  @Test
  void base32MatchesRfc4648() {
    assertEquals("mzxw6ytboi", Base32.encode("foobar".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("my", Base32.encode("f".getBytes(StandardCharsets.US_ASCII)));
    assertArrayEquals("foobar".getBytes(StandardCharsets.US_ASCII), Base32.decode("MZXW6YTBOI"));
    assertThrows(DecodeException.class, () -> Base32.decode("mz1"));
    assertThrows(DecodeException.class, () -> Base32.decode("mz")); // non-zero trailing bits
  }

  @Property
  void bothRoundTrip(@ForAll byte[] bytes) {
    assertArrayEquals(bytes, Base58.decode(Base58.encode(bytes)));
    assertArrayEquals(bytes, Base32.decode(Base32.encode(bytes)));
  }
}
