package io.disjoint.relay.select;

import static io.disjoint.relay.select.RouterFixture.AWS;
import static io.disjoint.relay.select.RouterFixture.GCP;
import static io.disjoint.relay.select.RouterFixture.HETZNER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RouteException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quorum, broadcast, sticky filters and sessions, and eth_getLogs splitting. */
class RoutingStrategiesTest {
  private static final MethodRule QUORUM3 = RouterFixture.rule("eth_getBlockByNumber", MethodRule.Routing.ANY, 3);

  private static RouterFixture threeDomains() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).quorumIgnoredFields(Set.of("totalDifficulty")).build(), 31);
    f.peer("a", AWS, 100);
    f.peer("g", GCP, 100);
    f.peer("h", HETZNER, 100);
    return f;
  }

  @Test
  void quorumOutvotesATamperedAnswerAndKeepsItAsEvidence() {
    RouterFixture f = threeDomains();
    f.transport.set("a", f.transport.result("{\"hash\":\"0xABCD\",\"number\":\"0x64\",\"totalDifficulty\":\"0x1\"}"));
    f.transport.set("g", f.transport.result("{\"number\":\"0x64\",\"hash\":\"0xabcd\",\"totalDifficulty\":\"0x2\"}"));
    f.transport.set("h", f.transport.result("{\"number\":\"0x64\",\"hash\":\"0x6666\"}"));
    ObjectNode r = f.router.route(f.request("eth_getBlockByNumber", "[\"0x64\",false]", QUORUM3)).join();
    assertEquals("0x64", r.path("result").path("number").asText());
    assertNotEquals("0x6666", r.path("result").path("hash").asText());
    assertEquals(Set.of("a", "g", "h"), Set.copyOf(f.transport.peersCalled()));
    List<Evidence> evidence = f.evidence.all();
    assertEquals(1, evidence.size());
    Evidence e = evidence.get(0);
    assertEquals("h", e.dissenter());
    assertEquals(Set.of("a", "g"), Set.copyOf(e.majorityPeers()));
    assertTrue(new String(e.dissentingPayload(), StandardCharsets.UTF_8).contains("0x6666"));
    assertArrayEquals("signed-by-peer".getBytes(StandardCharsets.UTF_8), e.dissentingAttestation());
    assertEquals("eth_getBlockByNumber", e.method());
  }

  @Test
  void quorumNeedsAsManyDomainsAsParticipants() {
    RouterFixture f = new RouterFixture();
    f.peer("a1", AWS, 100);
    f.peer("a2", AWS, 100);
    f.peer("g", GCP, 100);
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> f.router.route(f.request("eth_getBlockByNumber", "[\"0x1\",false]", QUORUM3)).join());
    RouteException re = assertInstanceOf(RouteException.class, e.getCause());
    assertTrue(re.getMessage().contains("needs 3 peers in different failure domains; 2 available"), re.getMessage());
    assertEquals(0, f.transport.calls.size());
  }

  @Test
  void failedQuorumParticipantIsReplacedFromYetAnotherDomain() {
    RouterFixture f = threeDomains();
    FailureDomain ovh = FailureDomain.parse("provider=ovh,region=gra,country=FR,operator=op4,asn=16276");
    f.peer("o", ovh, 100);
    // The three best-ranked go first; make whichever of them fails a transport failure.
    f.transport.set("a", f.transport.transportFailure());
    ObjectNode r = f.router.route(f.request("eth_getBlockByNumber", "[\"0x1\",false]", QUORUM3)).join();
    assertEquals("0x1", r.path("result").asText());
    List<String> called = f.transport.peersCalled();
    if (called.contains("a")) {
      assertEquals(4, called.size(), "the failed participant was replaced: " + called);
      assertTrue(called.contains("o"));
    } else {
      assertEquals(3, called.size());
    }
    assertTrue(f.evidence.all().isEmpty(), "a failure is not dissent");
  }

  @Test
  void noMajorityIsAnError() {
    RouterFixture f = threeDomains();
    f.transport.set("a", f.transport.result("1"));
    f.transport.set("g", f.transport.result("2"));
    f.transport.set("h", f.transport.result("3"));
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> f.router.route(f.request("eth_getBlockByNumber", "[\"0x1\",false]", QUORUM3)).join());
    assertTrue(e.getCause().getMessage().contains("no quorum"), e.getCause().getMessage());
  }

  @Test
  void rawTransactionIsBroadcastToDisjointDomains() {
    RouterFixture f = threeDomains();
    f.peer("a2", AWS, 100);
    f.transport.set("a", f.transport.error(-32000, "already known"));
    f.transport.set("a2", f.transport.error(-32000, "already known"));
    f.transport.set("g", f.transport.result("\"0xfeed\""));
    f.transport.set("h", f.transport.transportFailure());
    MethodRule broadcast = RouterFixture.rule("eth_sendRawTransaction", MethodRule.Routing.BROADCAST, 1);
    ObjectNode r = f.router.route(f.request("eth_sendRawTransaction", "[\"0x02f8\"]", broadcast)).join();
    assertEquals("0xfeed", r.path("result").asText());
    assertEquals(3, f.transport.calls.size());
    Set<String> providers = f.transport.peersCalled().stream().map(p -> p.substring(0, 1)).collect(Collectors.toSet());
    assertEquals(Set.of("a", "g", "h"), providers, "one peer per failure domain");
  }

  @Test
  void filterSticksToItsPeerAndMovesToAnotherDomainWhenThatPeerDies() {
    RouterFixture f = threeDomains();
    MethodRule sticky = RouterFixture.rule("eth_newFilter", MethodRule.Routing.STICKY, 1);
    for (String p : List.of("a", "g", "h")) {
      f.transport.set(p, f.transport.compute(req -> switch (req.get("method").asText()) {
        case "eth_newFilter" -> "\"0x1\"";
        case "eth_getFilterChanges" -> "[\"" + p + ":" + req.get("params").get(0).asText() + "\"]";
        default -> "true";
      }));
    }
    ObjectNode created = f.router.route(f.request("eth_newFilter", "[{}]", sticky)).join();
    String clientId = created.path("result").asText();
    assertNotEquals("0x1", clientId, "the client gets a gateway id, not the peer's");
    String owner = f.transport.calls.get(0).peer();

    MethodRule changesRule = RouterFixture.rule("eth_getFilterChanges", MethodRule.Routing.STICKY, 1);
    for (int i = 0; i < 5; i++) {
      JsonNode changes = f.router.route(f.request("eth_getFilterChanges", "[\"" + clientId + "\"]", changesRule)).join().path("result");
      assertEquals(owner + ":0x1", changes.get(0).asText(), "same peer, peer's own filter id");
    }

    f.transport.set(owner, f.transport.transportFailure());
    JsonNode moved = f.router.route(f.request("eth_getFilterChanges", "[\"" + clientId + "\"]", changesRule)).join().path("result");
    String newOwner = moved.get(0).asText().split(":")[0];
    assertNotEquals(owner, newOwner);
    FailureDomain oldDomain = f.directory.domainOf(owner).orElseThrow();
    assertNotEquals(oldDomain, f.directory.domainOf(newOwner).orElseThrow());
    assertEquals("eth_newFilter", f.transport.calls.stream().filter(c -> c.peer().equals(newOwner)).findFirst().orElseThrow()
        .request().get("method").asText(), "re-installed from the original request");

    assertTrue(f.router.route(f.request("eth_uninstallFilter", "[\"" + clientId + "\"]", changesRule)).join().path("result").asBoolean());
    assertEquals(0, f.router.activeFilters());
    ObjectNode gone = f.router.route(f.request("eth_getFilterChanges", "[\"" + clientId + "\"]", changesRule)).join();
    assertEquals("filter not found", gone.path("error").path("message").asText());
  }

  @Test
  void stickySessionStaysOnOnePeerAndRebindsWhenItFails() {
    RouterFixture f = threeDomains();
    // Any STICKY method without its own handling (filters and eth_subscribe have theirs).
    MethodRule sticky = RouterFixture.rule("vendor_sessionCall", MethodRule.Routing.STICKY, 1);
    f.router.route(f.request("vendor_sessionCall", "[]", sticky, Optional.of("ws-1"))).join();
    String bound = f.router.sessionPeer("ws-1").orElseThrow();
    for (int i = 0; i < 20; i++) {
      f.router.route(f.request("vendor_sessionCall", "[]", sticky, Optional.of("ws-1"))).join();
    }
    assertEquals(21, f.transport.callsTo(bound));
    f.transport.set(bound, f.transport.transportFailure());
    f.router.route(f.request("vendor_sessionCall", "[]", sticky, Optional.of("ws-1"))).join();
    assertNotEquals(bound, f.router.sessionPeer("ws-1").orElseThrow());
  }

  @Test
  void largeGetLogsRangeIsSplitAndMergedInOrder() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).logsMaxRange(1000).logsConcurrency(2).build(), 37);
    f.peer("a", AWS, 100);
    f.peer("g", GCP, 100);
    for (String p : List.of("a", "g")) {
      f.transport.set(p, f.transport.compute(req -> {
        JsonNode filter = req.get("params").get(0);
        return "[\"" + filter.get("fromBlock").asText() + "\",\"" + filter.get("toBlock").asText() + "\"]";
      }));
    }
    MethodRule logsRule = RouterFixture.rule("eth_getLogs", MethodRule.Routing.ANY, 1);
    ObjectNode r = f.router.route(f.request("eth_getLogs", "[{\"fromBlock\":\"0x0\",\"toBlock\":\"0x9c3\",\"address\":\"0x01\"}]", logsRule)).join();
    List<String> logs = f.transport.JSON.convertValue(r.get("result"), List.class);
    assertEquals(List.of("0x0", "0x3e7", "0x3e8", "0x7cf", "0x7d0", "0x9c3"), logs);
    assertEquals(3, f.transport.calls.size());
    f.transport.calls.forEach(c -> assertEquals("0x01", c.request().get("params").get(0).get("address").asText()));
  }

  @Test
  void getLogsByTagOrSmallRangeIsNotSplit() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).logsMaxRange(1000).build(), 41);
    f.peer("a", AWS, 100);
    MethodRule logsRule = RouterFixture.rule("eth_getLogs", MethodRule.Routing.ANY, 1);
    f.router.route(f.request("eth_getLogs", "[{\"fromBlock\":\"0x0\",\"toBlock\":\"latest\"}]", logsRule)).join();
    f.router.route(f.request("eth_getLogs", "[{\"fromBlock\":\"0x0\",\"toBlock\":\"0x3e7\"}]", logsRule)).join();
    assertEquals(2, f.transport.calls.size());
  }

  @Test
  void getLogsPieceErrorIsTheAnswer() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).logsMaxRange(10).build(), 43);
    f.peer("a", AWS, 100);
    f.transport.set("a", f.transport.error(-32602, "query returned more than 10000 results"));
    MethodRule logsRule = RouterFixture.rule("eth_getLogs", MethodRule.Routing.ANY, 1);
    ObjectNode r = f.router.route(f.request("eth_getLogs", "[{\"fromBlock\":\"0x0\",\"toBlock\":\"0x63\"}]", logsRule)).join();
    assertEquals(-32602, r.path("error").path("code").asInt());
  }

  @Test
  void fileEvidenceLogSurvivesReopening(@TempDir Path dir) {
    Path file = dir.resolve("evidence/quorum.jsonl");
    Evidence e = new Evidence(java.time.Instant.parse("2026-11-23T12:00:00Z"), "eip155:1", "eth_call",
        "{}".getBytes(StandardCharsets.UTF_8), "peerX", "{\"result\":\"0xbad\"}".getBytes(StandardCharsets.UTF_8),
        new byte[] {9, 8, 7}, "result:\"0x1\"", List.of("p1", "p2"));
    try (FileEvidenceLog log = new FileEvidenceLog(file)) {
      log.record(e);
    }
    try (FileEvidenceLog reopened = new FileEvidenceLog(file)) {
      List<Evidence> all = reopened.all();
      assertEquals(1, all.size());
      assertEquals("peerX", all.get(0).dissenter());
      assertArrayEquals(new byte[] {9, 8, 7}, all.get(0).dissentingAttestation());
      assertEquals(List.of("p1", "p2"), all.get(0).majorityPeers());
    }
  }
}
