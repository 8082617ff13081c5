package io.disjoint.relay.select;

import static io.disjoint.relay.select.RouterFixture.AWS;
import static io.disjoint.relay.select.RouterFixture.GCP;
import static io.disjoint.relay.select.RouterFixture.HETZNER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RouteException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Liars and hung peers: a quorum of two that disagrees asks a tie-breaker, the dissenter's signed
 * answer is kept and costs it reputation, quorum participants are drawn at random by score in
 * disjoint domains, and a peer whose requests hang loses rank while they are still hanging.
 */
class AdversarialPeersTest {
  private static final MethodRule QUORUM2 = RouterFixture.rule("eth_getBalance", MethodRule.Routing.ANY, 2);
  private static final FailureDomain OVH = FailureDomain.parse("provider=ovh,region=gra,country=FR,operator=op4,asn=16276");
  private static final String TRUTH = "\"0x56bc75e2d63100000\"";
  private static final String TAMPERED = "\"0xdead\"";

  private static RouterFixture fixture(RouterConfig config, long seed) {
    RouterFixture f = new RouterFixture(config, seed);
    f.peer("a", AWS, 100);
    f.peer("g", GCP, 100);
    f.peer("h", HETZNER, 100);
    return f;
  }

  private static CompletableFuture<ObjectNode> balance(RouterFixture f) {
    return f.router.route(f.request("eth_getBalance", "[\"0x00000000000000000000000000000000000000aa\",\"latest\"]", QUORUM2));
  }

  private static RouteException routeError(CompletableFuture<ObjectNode> r) {
    CompletionException e = assertThrows(CompletionException.class, r::join);
    return assertInstanceOf(RouteException.class, e.getCause());
  }

  @Test
  void splitQuorumOfTwoAsksATieBreakerAndTheLiarIsOutvoted() {
    RouterFixture f = fixture(RouterConfig.builder().hedging(false).build(), 3);
    f.transport.set("a", f.transport.result(TAMPERED));
    f.transport.set("g", f.transport.result(TRUTH));
    f.transport.set("h", f.transport.result(TRUTH));
    int withLiar = 0;
    for (int i = 0; i < 40; i++) {
      int before = f.transport.calls.size();
      ObjectNode r = balance(f).join();
      assertEquals(TRUTH.replace("\"", ""), r.path("result").asText(), "request " + i);
      List<String> called = f.transport.peersCalled().subList(before, f.transport.calls.size());
      if (called.contains("a")) {
        withLiar++;
        assertEquals(3, called.size(), "a split vote of two asks exactly one tie-breaker: " + called);
      } else {
        assertEquals(2, called.size(), "an agreeing quorum of two asks nobody else: " + called);
      }
    }
    assertTrue(withLiar >= 1, "the liar took part in some quorum");
    List<Evidence> evidence = f.evidence.all();
    assertEquals(withLiar, evidence.size(), "every vote the liar lost is evidence");
    for (Evidence e : evidence) {
      assertEquals("a", e.dissenter());
      assertEquals(Set.of("g", "h"), Set.copyOf(e.majorityPeers()));
      assertTrue(new String(e.dissentingPayload(), StandardCharsets.UTF_8).contains(TAMPERED));
      assertArrayEquals("signed-by-peer".getBytes(StandardCharsets.UTF_8), e.dissentingAttestation());
    }
  }

  @Test
  void aDissenterIsPutOnProbationAndLeavesLaterQuorums() {
    RouterFixture f = fixture(RouterConfig.builder().hedging(false).build(), 11);
    f.peer("o", OVH, 100);
    f.transport.set("a", f.transport.result(TAMPERED));
    for (String p : List.of("g", "h", "o")) {
      f.transport.set(p, f.transport.result(TRUTH));
    }
    // Route until the liar has been outvoted once.
    int guard = 0;
    while (f.evidence.all().isEmpty()) {
      balance(f).join();
      assertTrue(++guard < 100, "the liar was never drawn into a quorum");
    }
    double success = f.router.reputation().successRate("a");
    assertTrue(success <= 1.0 - RouterConfig.DEFAULT_QUORUM_DISSENT_PENALTY, "dissent costs reputation: " + success);
    Candidate liar = f.router.selector().candidates(RouterFixture.CHAIN).stream()
        .filter(c -> c.peerId().equals("a")).findFirst().orElseThrow();
    assertTrue(liar.probation(), "one lost vote puts the liar on probation");
    long liarCalls = f.transport.callsTo("a");
    for (int i = 0; i < 30; i++) {
      assertEquals(TRUTH.replace("\"", ""), balance(f).join().path("result").asText());
    }
    assertEquals(liarCalls, f.transport.callsTo("a"), "healthy peers in other domains come before a peer on probation");
  }

  @Test
  void splitQuorumWithNoFurtherDomainFailsWithoutEvidence() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).build(), 5);
    f.peer("a", AWS, 100);
    f.peer("g", GCP, 100);
    f.transport.set("a", f.transport.result(TAMPERED));
    f.transport.set("g", f.transport.result(TRUTH));
    RouteException e = routeError(balance(f));
    assertEquals(RouteErrors.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("no quorum for eth_getBalance: 2 answers in 2 different forms"), e.getMessage());
    assertTrue(e.getMessage().contains("no further one available"), e.getMessage());
    assertEquals(2, f.transport.calls.size());
    assertTrue(f.evidence.all().isEmpty(), "without a majority nobody can be called a liar");
  }

  @Test
  void tieBreakersAreBoundedByConfiguration() {
    for (int tieBreakers : new int[] {0, 1, 2}) {
      RouterFixture f = fixture(RouterConfig.builder().hedging(false).quorumTieBreakers(tieBreakers).build(), 17);
      f.peer("o", OVH, 100);
      f.peer("x", FailureDomain.parse("provider=azure,region=westeurope,country=NL,operator=op5,asn=8075"), 100);
      // Everyone answers differently: no majority can ever form.
      for (String p : List.of("a", "g", "h", "o", "x")) {
        f.transport.set(p, f.transport.result("\"" + p + "\""));
      }
      RouteException e = routeError(balance(f));
      assertTrue(e.getMessage().startsWith("no quorum"), e.getMessage());
      assertEquals(2 + tieBreakers, f.transport.calls.size(), "k + quorumTieBreakers peers at most, tie-breakers " + tieBreakers);
      assertEquals(2 + tieBreakers, Set.copyOf(f.transport.peersCalled()).size(), "each peer asked once");
    }
  }

  @Test
  void tieBreakerComesFromADomainNotYetUsed() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).build(), 23);
    f.peer("a", AWS, 100);
    f.peer("a2", AWS, 100);
    f.peer("g", GCP, 100);
    f.peer("g2", GCP, 100);
    f.peer("h", HETZNER, 100);
    f.transport.set("a", f.transport.result(TAMPERED));
    f.transport.set("a2", f.transport.result(TAMPERED));
    f.transport.set("g", f.transport.result(TRUTH));
    f.transport.set("g2", f.transport.result(TRUTH));
    f.transport.set("h", f.transport.result(TRUTH));
    for (int i = 0; i < 30; i++) {
      int before = f.transport.calls.size();
      balance(f).join();
      List<String> called = f.transport.peersCalled().subList(before, f.transport.calls.size());
      Set<String> domains = new HashSet<>();
      for (String p : called) {
        assertTrue(domains.add(p.substring(0, 1)), "one peer per failure domain in a quorum: " + called);
      }
    }
    assertFalse(f.evidence.all().isEmpty());
    assertTrue(f.evidence.all().stream().allMatch(e -> e.dissenter().startsWith("a")), "only the AWS liars dissent");
  }

  @Test
  void quorumParticipantsAreDrawnAtRandomByScoreNotAlwaysTheBest() {
    RouterFixture f = fixture(RouterConfig.builder().hedging(false).build(), 29);
    f.peer("o", OVH, 100);
    // "a" is by far the fastest: deterministic best-first choice would put it in every quorum.
    f.transport.set("a", f.transport.delayed(Duration.ofMillis(1), TRUTH));
    for (String p : List.of("g", "h", "o")) {
      f.transport.set(p, f.transport.delayed(Duration.ofMillis(15), TRUTH));
    }
    Map<String, Integer> participations = new HashMap<>();
    int requests = 200;
    for (int i = 0; i < requests; i++) {
      int before = f.transport.calls.size();
      CompletableFuture<ObjectNode> r = balance(f);
      f.time.advance(Duration.ofMillis(15));
      assertEquals(TRUTH.replace("\"", ""), r.join().path("result").asText());
      for (String p : f.transport.peersCalled().subList(before, f.transport.calls.size())) {
        participations.merge(p, 1, Integer::sum);
      }
    }
    int fastest = participations.getOrDefault("a", 0);
    assertTrue(fastest < requests, "the fastest peer is not in every quorum: " + participations);
    assertTrue(fastest > requests / 2, "but the best-scored peer is drawn most: " + participations);
    for (String p : List.of("g", "h", "o")) {
      assertTrue(participations.getOrDefault(p, 0) >= 10, "every honest peer takes part: " + participations);
    }
  }

  @Test
  void aPeerWhoseRequestsHangLosesRankBeforeTheyTimeOut() {
    RouterFixture f = fixture(RouterConfig.builder().probationShare(0).build(), 31);
    // Warm-up: "a" answers in 1 ms, the others in 10 ms; "a" becomes the most attractive primary.
    f.transport.set("a", f.transport.delayed(Duration.ofMillis(1), "\"fast\""));
    f.transport.set("g", f.transport.delayed(Duration.ofMillis(10), "\"slow\""));
    f.transport.set("h", f.transport.delayed(Duration.ofMillis(10), "\"slow\""));
    int warmPrimaryA = 0;
    for (int i = 0; i < 60; i++) {
      int before = f.transport.calls.size();
      CompletableFuture<ObjectNode> r = f.router.route(f.read("eth_chainId"));
      if (f.transport.calls.get(before).peer().equals("a")) {
        warmPrimaryA++;
      }
      f.time.advance(Duration.ofMillis(10));
      r.join();
    }
    assertTrue(warmPrimaryA >= 20, "the fast peer is the usual primary while healthy: " + warmPrimaryA);
    // Now "a" hangs. Its p50 is still 1 ms, but its unfinished requests' age counts.
    f.transport.set("a", f.transport.hang());
    int hungPrimary = 0;
    for (int i = 0; i < 40; i++) {
      int before = f.transport.calls.size();
      CompletableFuture<ObjectNode> r = f.router.route(f.read("eth_chainId"));
      if (f.transport.calls.get(before).peer().equals("a")) {
        hungPrimary++;
      }
      f.time.advance(Duration.ofMillis(40));
      assertEquals("slow", r.join().path("result").asText(), "the hedge answers request " + i);
    }
    assertTrue(hungPrimary <= 3, "a hung peer stops being the primary at once, was primary " + hungPrimary + " times of 40");
    assertTrue(f.router.reputation().inFlight("a") >= 1);
    assertEquals(Duration.ofMillis(1), f.router.reputation().latencyQuantile("a", 0.5).orElseThrow(),
        "its answered latency alone would still rank it first");
  }

  @Test
  void inFlightRequestsAgeUntilFinished() {
    PeerReputation rep = new PeerReputation(0.1, 16);
    Instant t0 = Instant.parse("2026-11-23T12:00:00Z");
    assertTrue(rep.oldestInFlight("p", t0).isEmpty());
    long first = rep.requestStarted("p", t0);
    long second = rep.requestStarted("p", t0.plusMillis(30));
    assertEquals(Duration.ofMillis(100), rep.oldestInFlight("p", t0.plusMillis(100)).orElseThrow());
    rep.requestFinished("p", first);
    assertEquals(Duration.ofMillis(70), rep.oldestInFlight("p", t0.plusMillis(100)).orElseThrow());
    rep.requestFinished("p", second);
    assertTrue(rep.oldestInFlight("p", t0.plusMillis(100)).isEmpty());
    assertEquals(0, rep.inFlight("p"));
    for (int i = 0; i < PeerReputation.MAX_TRACKED_IN_FLIGHT + 5; i++) {
      rep.requestStarted("q", t0.plusMillis(i));
    }
    assertEquals(PeerReputation.MAX_TRACKED_IN_FLIGHT, rep.inFlight("q"), "tracking is bounded");
    assertEquals(Duration.ofMillis(PeerReputation.MAX_TRACKED_IN_FLIGHT + 5 - 5),
        rep.oldestInFlight("q", t0.plusMillis(PeerReputation.MAX_TRACKED_IN_FLIGHT + 5)).orElseThrow());
    rep.recordDissent("d", 0.5);
    assertEquals(0.5, rep.successRate("d"), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> rep.recordDissent("d", 1.5));
  }
}
