package io.disjoint.relay.select;

import static io.disjoint.relay.select.RouterFixture.AWS;
import static io.disjoint.relay.select.RouterFixture.GCP;
import static io.disjoint.relay.select.RouterFixture.HETZNER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.policy.MethodTable;
import io.disjoint.relay.route.MethodRule;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Quorum reads on "latest" are pinned to one block: honest peers one block apart answer "latest"
 * differently (and without pinning one of them is outvoted and kept as "evidence"), while at the
 * pinned block they agree; a liar is still outvoted, and its evidence names a concrete block.
 */
class QuorumPinningTest {
  private static final String ADDRESS = "\"0x" + "11".repeat(20) + "\"";
  private static final MethodRule BALANCE_PINNED = new MethodRule("eth_getBalance", true, 15, MethodRule.Routing.ANY, 2, 1);
  private static final MethodRule BALANCE_UNPINNED = new MethodRule("eth_getBalance", true, 15, MethodRule.Routing.ANY, 2);

  /** A chain node of a peer: head moves in the test; the balance is 1000 + block, at any address. */
  private static final class PeerChain {
    volatile long head;
    volatile boolean lies;

    PeerChain(long head) {
      this.head = head;
    }
  }

  private final Map<String, PeerChain> chains = new ConcurrentHashMap<>();

  private RouterFixture network(long seed, Object... peers) {
    RouterFixture f = new RouterFixture(RouterConfig.defaults(), seed);
    for (int i = 0; i < peers.length; i += 3) {
      String id = (String) peers[i];
      FailureDomain domain = (FailureDomain) peers[i + 1];
      long head = (Long) peers[i + 2];
      PeerChain chain = new PeerChain(head);
      chains.put(id, chain);
      f.peer(id, domain, head);
      f.transport.set(id, req -> CompletableFuture.completedFuture(FakeRelayTransport.ok(answer(req, chain), chain.head)));
    }
    return f;
  }

  private static String answer(JsonNode req, PeerChain chain) {
    JsonNode tag = req.path("params").path(1);
    long block = switch (tag.isMissingNode() ? "latest" : tag.asText()) {
      case "latest" -> chain.head;
      case "earliest" -> 0;
      default -> Long.decode(tag.asText());
    };
    String id = req.get("id").toString();
    if (block > chain.head) {
      return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32000,\"message\":\"header not found\"}}";
    }
    long balance = chain.lies ? 999_999 : 1000 + block;
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x" + Long.toHexString(balance) + "\"}";
  }

  private static long blockOf(JsonNode request) {
    return Long.decode(request.path("params").path(1).asText());
  }

  @Test
  void honestPeersAtDifferentHeadsAgreeOnceLatestIsPinned() {
    RouterFixture f = network(7, "a", AWS, 100L, "b", GCP, 101L, "c", HETZNER, 101L);
    for (int i = 0; i < 60; i++) {
      int before = f.transport.calls.size();
      ObjectNode r = f.router.route(f.request("eth_getBalance", "[" + ADDRESS + ",\"latest\"]", BALANCE_PINNED)).join();
      List<FakeRelayTransport.Call> sent = f.transport.calls.subList(before, f.transport.calls.size());
      Set<Long> blocks = new HashSet<>();
      sent.forEach(c -> blocks.add(blockOf(c.request())));
      assertEquals(1, blocks.size(), "every participant was asked at one block: " + sent);
      long pinned = blocks.iterator().next();
      assertEquals(100, pinned, "pinned to the lowest fresh head any candidate reported");
      assertEquals("0x" + Long.toHexString(1000 + pinned), r.path("result").asText());
      assertEquals(2, sent.size(), "two agreeing participants, no tie-breaker");
    }
    assertTrue(f.evidence.all().isEmpty(), "no honest peer was called a liar");
    assertTrue(f.transport.calls.stream().anyMatch(c -> c.peer().equals("a")), "the peer one block behind took part");
  }

  @Test
  void withoutPinningAnHonestPeerOneBlockBehindIsOutvoted() {
    RouterFixture f = network(7, "a", AWS, 100L, "b", GCP, 101L, "c", HETZNER, 101L);
    for (int i = 0; i < 60; i++) {
      f.router.route(f.request("eth_getBalance", "[" + ADDRESS + ",\"latest\"]", BALANCE_UNPINNED)).join();
    }
    assertFalse(f.evidence.all().isEmpty(), "the problem pinning solves: 'latest' one block apart looks like dissent");
    assertTrue(f.evidence.all().stream().allMatch(e -> e.dissenter().equals("a")));
  }

  @Test
  void anOmittedBlockParameterIsPinnedToo() {
    RouterFixture f = network(3, "a", AWS, 100L, "b", GCP, 103L);
    ObjectNode r = f.router.route(f.request("eth_getBalance", "[" + ADDRESS + "]", BALANCE_PINNED)).join();
    assertEquals("0x" + Long.toHexString(1100), r.path("result").asText());
    f.transport.calls.forEach(c -> assertEquals("0x64", c.request().path("params").path(1).asText()));
  }

  @Test
  void explicitBlocksAndOtherTagsAreLeftAlone() {
    RouterFixture f = network(3, "a", AWS, 100L, "b", GCP, 103L);
    f.router.route(f.request("eth_getBalance", "[" + ADDRESS + ",\"0x50\"]", BALANCE_PINNED)).join();
    f.router.route(f.request("eth_getBalance", "[" + ADDRESS + ",\"earliest\"]", BALANCE_PINNED)).join();
    assertEquals(List.of("0x50", "0x50", "earliest", "earliest"),
        f.transport.calls.stream().map(c -> c.request().path("params").path(1).asText()).toList());
  }

  @Test
  void theTamperDrillStillOutvotesTheLiarAtThePinnedBlock() {
    RouterFixture f = network(11, "a", AWS, 100L, "b", GCP, 101L, "c", HETZNER, 102L);
    chains.get("c").lies = true;
    boolean liarAsked = false;
    for (int i = 0; i < 30; i++) {
      ObjectNode r = f.router.route(f.request("eth_getBalance", "[" + ADDRESS + ",\"latest\"]", BALANCE_PINNED)).join();
      long block = blockOf(f.transport.calls.get(f.transport.calls.size() - 1).request());
      assertEquals("0x" + Long.toHexString(1000 + block), r.path("result").asText(), "the liar's answer never reaches the client");
      liarAsked |= f.transport.calls.stream().anyMatch(c -> c.peer().equals("c"));
    }
    assertTrue(liarAsked);
    assertFalse(f.evidence.all().isEmpty());
    for (Evidence e : f.evidence.all()) {
      assertEquals("c", e.dissenter());
      String request = new String(e.request(), StandardCharsets.UTF_8);
      assertFalse(request.contains("latest"), "evidence names a concrete block: " + request);
      assertTrue(new String(e.dissentingPayload(), StandardCharsets.UTF_8).contains(Long.toHexString(999_999)));
    }
  }

  @Test
  void sparesAndTieBreakersComeFromPeersThatHaveThePinnedBlock() {
    // Whichever pair is drawn, a tie-breaker (c lies) must be able to answer at the pinned block.
    RouterFixture f = network(5, "a", AWS, 100L, "b", GCP, 104L, "c", HETZNER, 101L, "d",
        RouterFixture.domain("ovh", "gra", "fr", "op4", 16276), 104L);
    chains.get("c").lies = true;
    for (int i = 0; i < 30; i++) {
      int before = f.transport.calls.size();
      f.router.route(f.request("eth_getBalance", "[" + ADDRESS + ",\"latest\"]", BALANCE_PINNED)).join();
      List<FakeRelayTransport.Call> sent = f.transport.calls.subList(before, f.transport.calls.size());
      long block = blockOf(sent.get(0).request());
      for (FakeRelayTransport.Call c : sent) {
        assertTrue(chains.get(c.peer()).head >= block, c.peer() + " was asked at " + block + " beyond its head");
      }
      assertTrue(sent.size() <= 3, "at most one tie-breaker: " + sent);
    }
  }

  @Test
  void theMethodTableKnowsTheBlockPositions() {
    MethodTable strict = MethodTable.load("eip155", "strict");
    assertEquals(1, strict.rule("eth_getBalance").blockParam());
    assertEquals(1, strict.rule("eth_call").blockParam());
    assertEquals(2, strict.rule("eth_getStorageAt").blockParam());
    assertEquals(2, strict.rule("eth_getProof").blockParam());
    assertEquals(1, strict.rule("eth_getTransactionCount").blockParam());
    assertEquals(1, strict.rule("eth_getCode").blockParam());
    assertEquals(0, strict.rule("eth_getBlockByNumber").blockParam());
    assertEquals(MethodRule.NO_BLOCK_PARAM, strict.rule("eth_getTransactionByHash").blockParam());
    assertEquals(2, strict.rule("eth_getBalance").quorum(), "the strict profile keeps the default's block position");
  }
}
