package io.disjoint.relay.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RelayRequest.sign_attestation (field 6) on the wire, byte-exact as docs/relay-protocol.md has it. */
class RelayRequestSignFlagTest {
  private static final byte[] JSON = "{}".getBytes(StandardCharsets.UTF_8);

  private static byte[] wire(RelayRequest r) {
    return RelayMessages.toWire(r).toByteArray();
  }

  private static RelayRequest parse(byte[] bytes) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      return RelayMessages.parseRequest(buf);
    } finally {
      buf.release();
    }
  }

  @Test
  void theFlagIsOneTrailingFieldWhenSetAndAbsentOtherwise() {
    RelayRequest plain = new RelayRequest(1, "eip155:1", JSON, 1000, new byte[] {9});
    RelayRequest asking = new RelayRequest(1, "eip155:1", JSON, 1000, new byte[] {9}, true);
    // 08 01 | 12 08 "eip155:1" | 1a 02 "{}" | 20 e8 07 | 2a 01 09 [| 30 01]
    String expected = "0801" + "1208" + HexFormat.of().formatHex("eip155:1".getBytes(StandardCharsets.US_ASCII))
        + "1a027b7d" + "20e807" + "2a0109";
    assertEquals(expected, HexFormat.of().formatHex(wire(plain)));
    assertEquals(expected + "3001", HexFormat.of().formatHex(wire(asking)));
    assertFalse(plain.signAttestation());
    assertTrue(parse(wire(asking)).signAttestation());
    assertFalse(parse(wire(plain)).signAttestation());
    assertTrue(asking.withRequestId(5).signAttestation(), "kept when the stream assigns its id");
  }

  @Test
  void anOlderGatewaysRequestParsesAsNotAsking() {
    RelayRequest asking = new RelayRequest(3, "eip155:1", JSON, 1000, new byte[0], true);
    byte[] bytes = wire(asking);
    byte[] older = Arrays.copyOf(bytes, bytes.length - 2);
    RelayRequest parsed = parse(older);
    assertFalse(parsed.signAttestation());
    assertArrayEquals(JSON, parsed.payload());
    assertEquals(3, parsed.requestId());
  }
}
