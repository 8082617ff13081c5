package io.disjoint.relay.eth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddressPolicyTest {
  private static final String TO = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
  private static final String SENDER = "0x1259b10bbc298f9d2a0e73af62d052526b895ba4";
  private static final String OTHER = "0x00000000000000000000000000000000000000aa";

  @TempDir Path dir;

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String sendRaw(String raw) {
    return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_sendRawTransaction\",\"params\":[\"" + raw + "\"]}";
  }

  private static AddressPolicy blocking(String... addresses) {
    return new AddressPolicy(Set.copyOf(java.util.Arrays.stream(addresses).map(Address::fromHex).toList()), "test-list");
  }

  @Test
  void loadsAListWithCommentsAndChecksums() throws Exception {
    Path file = dir.resolve("ofac.txt");
    Files.writeString(file, "# sanctioned\n\n0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed  # router\n" + OTHER + "\n");
    AddressPolicy policy = AddressPolicy.load(file);
    assertEquals(2, policy.size());
    assertTrue(policy.toString().contains("ofac.txt"));
  }

  @Test
  void aBadLineNamesTheFileAndLine() throws Exception {
    Path file = dir.resolve("list.txt");
    Files.writeString(file, OTHER + "\n0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressPolicy.load(file));
    assertTrue(e.getMessage().contains("list.txt line 2"), e.getMessage());
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void refusesTransactionsToSenderAndDelegationTargets() throws Exception {
    List<JsonNode> vectors = RawTransactionDecoderTest.vectors();
    for (JsonNode v : vectors) {
      byte[] payload = json(sendRaw(v.get("raw").asText()));
      Optional<String> bySender = blocking(SENDER).refusal(payload);
      assertTrue(bySender.isPresent() && bySender.get().contains("sender " + SENDER), v.get("name").asText());
      Optional<String> byTo = blocking(TO).refusal(payload);
      assertEquals(!v.get("to").isNull(), byTo.isPresent(), v.get("name").asText());
      assertEquals(Optional.empty(), blocking(OTHER).refusal(payload), v.get("name").asText());
    }
  }

  @Test
  void refusesCallsToOrFromABlockedAddressInSinglesAndBatches() {
    AddressPolicy policy = blocking(TO);
    String call = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_call\",\"params\":[{\"to\":\"" + TO.toUpperCase().replace("0X", "0x") + "\",\"data\":\"0x\"},\"latest\"]}";
    assertTrue(policy.refusal(json(call)).orElseThrow().contains("call to " + TO));
    String fine = "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"eth_estimateGas\",\"params\":[{\"from\":\"" + OTHER + "\"}]}";
    assertEquals(Optional.empty(), policy.refusal(json(fine)));
    assertTrue(policy.refusal(json("[" + fine + "," + call + "]")).isPresent());
    assertEquals(Optional.empty(), policy.refusal(json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\",\"params\":[\"" + TO + "\",\"latest\"]}")));
  }

  @Test
  void failsClosedOnATransactionItCannotRead() {
    Optional<String> r = blocking(OTHER).refusal(json(sendRaw("0x05c0")));
    assertTrue(r.orElseThrow().contains("cannot inspect"), r.toString());
    assertTrue(blocking(OTHER).refusal(json("{\"method\":\"eth_sendRawTransaction\",\"params\":[42]}")).isPresent());
  }

  @Test
  void anEmptyPolicyParsesNothing() {
    assertFalse(AddressPolicy.NONE.refusal(json("not json at all")).isPresent());
    assertFalse(AddressPolicy.NONE.refusal(json(sendRaw("0x05c0"))).isPresent());
    assertFalse(blocking(OTHER).refusal(json("{not json")).isPresent());
  }
}
