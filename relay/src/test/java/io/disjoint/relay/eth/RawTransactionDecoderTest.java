package io.disjoint.relay.eth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.rlp.RLP;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Vectors signed by ethers 6 (testnet/js/tools/tx-vectors.mjs): every field policy reads, the
 * transaction hash and the recovered sender must match what ethers computed.
 */
class RawTransactionDecoderTest {
  private static final BigInteger N =
      new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);

  static List<JsonNode> vectors() throws Exception {
    try (InputStream in = RawTransactionDecoderTest.class.getResourceAsStream("/eth/raw-transactions.json")) {
      List<JsonNode> out = new ArrayList<>();
      new ObjectMapper().readTree(in).forEach(out::add);
      return out;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void decodesEthersSignedTransactions(JsonNode v) {
    RawTransaction tx = RawTransactionDecoder.decodeHex(v.get("raw").asText());
    assertEquals(v.get("type").asInt(), tx.type());
    assertEquals(v.get("hash").asText(), tx.hash().toHexString());
    BigInteger chainId = new BigInteger(v.get("chainId").asText());
    assertEquals(chainId.signum() == 0 ? Optional.empty() : Optional.of(chainId), tx.chainId());
    assertEquals(BigInteger.valueOf(v.get("nonce").asLong()), tx.nonce());
    assertEquals(new BigInteger(v.get("value").asText()), tx.value());
    assertEquals(new BigInteger(v.get("gasLimit").asText()), tx.gasLimit());
    assertEquals(v.get("dataLength").asInt(), tx.dataLength());
    assertEquals(v.get("to").isNull() ? Optional.empty() : Optional.of(Address.fromHex(v.get("to").asText())), tx.to());
    assertEquals(Address.fromHex(v.get("from").asText()), tx.sender());
    if (tx.type() == 4) {
      assertEquals(List.of(tx.to().orElseThrow()), tx.delegations());
    }
    if (tx.type() == 1) {
      assertEquals(List.of(tx.to().orElseThrow()), tx.accessListAddresses());
    }
    assertTrue(tx.destinations().containsAll(tx.to().stream().toList()));
  }

  @Test
  void highSIsRefusedAsEip2Requires() throws Exception {
    JsonNode v = vectors().get(4); // EIP-1559
    RawTransaction tx = RawTransactionDecoder.decodeHex(v.get("raw").asText());
    Bytes raw = Bytes.fromHexString(v.get("raw").asText());
    List<Object> fields = rlpFields(raw.slice(1));
    fields.set(11, Bytes.wrap(unsigned(N.subtract(tx.s()))));
    fields.set(9, Bytes.wrap(new byte[] {(byte) (1 - tx.yParity())}).trimLeadingZeros());
    RawTransaction flipped = RawTransactionDecoder.decode(Bytes.concatenate(Bytes.of(2), encode(fields)));
    InvalidTransactionException e = assertThrows(InvalidTransactionException.class, flipped::sender);
    assertTrue(e.getMessage().contains("EIP-2"), e.getMessage());
  }

  @Test
  void aTamperedFieldRecoversAnotherSender() throws Exception {
    JsonNode v = vectors().get(4);
    Bytes raw = Bytes.fromHexString(v.get("raw").asText());
    List<Object> fields = rlpFields(raw.slice(1));
    fields.set(6, Bytes.fromHexString("0x0100")); // value changed after signing
    RawTransaction tampered = RawTransactionDecoder.decode(Bytes.concatenate(Bytes.of(2), encode(fields)));
    assertTrue(!tampered.sender().equals(Address.fromHex(v.get("from").asText())));
  }

  @Test
  void blobTransactionPlainAndNetworkFormsHaveTheSameHash() {
    Bytes to = Bytes.fromHexString("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    List<Object> body = new ArrayList<>(List.of(Bytes.of(1), Bytes.of(7), Bytes.of(1), Bytes.of(2),
        Bytes.fromHexString("0x5208"), to, Bytes.EMPTY, Bytes.EMPTY, List.of(), Bytes.of(3),
        List.of(Bytes.wrap(new byte[32])), Bytes.EMPTY, Bytes.of(9), Bytes.of(9)));
    Bytes plain = Bytes.concatenate(Bytes.of(3), encode(body));
    Bytes network = Bytes.concatenate(Bytes.of(3),
        encode(List.of(body, List.of(Bytes.wrap(new byte[64])), List.of(Bytes.wrap(new byte[48])), List.of(Bytes.wrap(new byte[48])))));
    RawTransaction a = RawTransactionDecoder.decode(plain);
    RawTransaction b = RawTransactionDecoder.decode(network);
    assertEquals(3, a.type());
    assertEquals(a.hash(), b.hash());
    assertEquals(Optional.of(new Address(to)), b.to());
    assertEquals(BigInteger.valueOf(7), b.nonce());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "0x", "0x0", "0xzz", "12",
      "0x05c0",                   // unknown type
      "0x80",                     // neither a type nor a list
      "0x02c0",                   // wrong field count
      "0xc0",                     // legacy with no fields
      "0xc180",                   // legacy with one field
      "0x02c180c0",               // trailing bytes after the list
      "0x02c2c1c0",               // nested too oddly / wrong count
      "0x02cc0000000000000000000000", // leading-zero scalars, 12 fields
  })
  void malformedInputIsRefusedWithAReason(String hex) {
    InvalidTransactionException e = assertThrows(InvalidTransactionException.class,
        () -> RawTransactionDecoder.decodeHex(hex));
    assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
  }

  @Test
  void deepNestingIsRefusedWithoutRecursingFar() {
    Bytes nested = Bytes.of(0xc0);
    for (int i = 0; i < 10_000; i++) {
      nested = Bytes.concatenate(listHeader(nested.size()), nested);
    }
    Bytes input = nested;
    InvalidTransactionException e = assertThrows(InvalidTransactionException.class,
        () -> RawTransactionDecoder.decode(input));
    assertTrue(e.getMessage().contains("nested"), e.getMessage());
  }

  @Test
  void setCodeTransactionNeedsADestination() {
    List<Object> fields = new ArrayList<>(List.of(Bytes.of(1), Bytes.of(1), Bytes.of(1), Bytes.of(1),
        Bytes.fromHexString("0x5208"), Bytes.EMPTY, Bytes.EMPTY, Bytes.EMPTY, List.of(),
        List.of(List.of(Bytes.of(1), Bytes.wrap(new byte[20]), Bytes.EMPTY, Bytes.EMPTY, Bytes.of(1), Bytes.of(1))),
        Bytes.EMPTY, Bytes.of(1), Bytes.of(1)));
    InvalidTransactionException e = assertThrows(InvalidTransactionException.class,
        () -> RawTransactionDecoder.decode(Bytes.concatenate(Bytes.of(4), encode(fields))));
    assertTrue(e.getMessage().contains("to is required"), e.getMessage());
  }

  @Test
  void addressesParseWithEip55Checksums() {
    for (String s : List.of("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")) {
      Address a = Address.fromHex(s);
      assertEquals(s, a.toChecksumHex());
      assertEquals(a, Address.fromHex(s.toLowerCase()));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Address.fromHex("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Address.fromHex("0x1234"));
  }

  private static List<Object> rlpFields(Bytes list) {
    return RLP.decodeList(list, r -> {
      List<Object> out = new ArrayList<>();
      while (!r.isComplete()) {
        out.add(r.nextIsList() ? r.readList(x -> readAll(x)) : r.readValue());
      }
      return out;
    });
  }

  private static Object readAll(org.apache.tuweni.rlp.RLPReader r) {
    List<Object> out = new ArrayList<>();
    while (!r.isComplete()) {
      out.add(r.nextIsList() ? r.readList(x -> readAll(x)) : r.readValue());
    }
    return out;
  }

  private static Bytes encode(List<?> items) {
    return RLP.encodeList(w -> items.forEach(i -> write(w, i)));
  }

  private static void write(org.apache.tuweni.rlp.RLPWriter w, Object item) {
    if (item instanceof Bytes b) {
      w.writeValue(b);
    } else {
      w.writeList(inner -> ((List<?>) item).forEach(x -> write(inner, x)));
    }
  }

  private static Bytes listHeader(int length) {
    if (length < 56) {
      return Bytes.of(0xc0 + length);
    }
    Bytes len = Bytes.minimalBytes(length);
    return Bytes.concatenate(Bytes.of(0xf7 + len.size()), len);
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
  }
}
