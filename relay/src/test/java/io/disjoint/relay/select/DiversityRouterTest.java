package io.disjoint.relay.select;

import static io.disjoint.relay.select.RouterFixture.AWS;
import static io.disjoint.relay.select.RouterFixture.GCP;
import static io.disjoint.relay.select.RouterFixture.HETZNER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.route.RouteException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Selection, failover, hedging, freshness, breakers and caps of the diversity router. */
class DiversityRouterTest {

  private static RouteException routeError(CompletableFuture<ObjectNode> f) {
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(RouteException.class, e.getCause());
  }

  @Test
  void deterministicErrorIsReturnedAtOnceWithoutRetry() {
    RouterFixture f = new RouterFixture();
    f.peer("a", AWS, 100);
    f.peer("g", GCP, 100);
    f.peer("h", HETZNER, 100);
    for (String p : List.of("a", "g", "h")) {
      f.transport.set(p, f.transport.error(3, "execution reverted"));
    }
    ObjectNode r = f.router.route(f.read("eth_call")).join();
    assertEquals(3, r.path("error").path("code").asInt());
    assertEquals(1, f.transport.calls.size(), "no retry for a revert");
  }

  @Test
  void retryableFailureFailsOverIntoAnotherDomainNeverTheSameOne() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).build(), 7);
    f.peer("a1", AWS, 100);
    f.peer("a2", AWS, 100);
    f.peer("a3", AWS, 100);
    f.peer("g1", GCP, 100);
    for (String p : List.of("a1", "a2", "a3")) {
      f.transport.set(p, f.transport.error(-32000, "header not found"));
    }
    f.transport.set("g1", f.transport.result("\"0x2a\""));
    for (int i = 0; i < 40; i++) {
      int before = f.transport.calls.size();
      ObjectNode r = f.router.route(f.read("eth_getBalance")).join();
      assertEquals("0x2a", r.path("result").asText());
      List<String> called = f.transport.peersCalled().subList(before, f.transport.calls.size());
      long awsCalls = called.stream().filter(p -> p.startsWith("a")).count();
      assertTrue(awsCalls <= 1, "never retried into the domain that failed: " + called);
    }
  }

  @Test
  void transportFailureTripsThePeerUntilItsCooldownEnds() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).probationShare(0).build(), 3);
    f.peer("a", AWS, 100);
    f.peer("g", GCP, 100);
    f.transport.set("a", f.transport.transportFailure());
    // Drive until "a" has been tried once.
    while (f.transport.callsTo("a") == 0) {
      assertEquals("0x1", f.router.route(f.read("eth_blockNumber")).join().path("result").asText());
    }
    assertEquals(CircuitBreakers.State.OPEN, f.router.breakers().peerState("a"));
    long before = f.transport.callsTo("a");
    for (int i = 0; i < 50; i++) {
      f.router.route(f.read("eth_blockNumber")).join();
    }
    assertEquals(before, f.transport.callsTo("a"), "a tripped peer gets no traffic during its cooldown");
    f.time.advance(RouterConfig.DEFAULT_BREAKER_BASE_COOLDOWN.plusMillis(1));
    assertEquals(CircuitBreakers.State.HALF_OPEN, f.router.breakers().peerState("a"));
  }

  @Test
  void zeroClientErrorsWhenAWholeDomainDies() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).build(), 11);
    f.peer("a1", AWS, 100);
    f.peer("a2", AWS, 100);
    f.peer("g1", GCP, 100);
    f.peer("h1", HETZNER, 100);
    f.transport.set("a1", f.transport.transportFailure());
    f.transport.set("a2", f.transport.transportFailure());
    for (int i = 0; i < 200; i++) {
      assertEquals("0x1", f.router.route(f.read("eth_blockNumber")).join().path("result").asText());
    }
    assertEquals(CircuitBreakers.State.OPEN, f.router.breakers().domainState(AWS));
  }

  @Test
  void stalePeerGetsNoTrafficAndALiarCannotPullTheTipUp() {
    RouterFixture f = new RouterFixture();
    f.peer("a", AWS, 1000);
    f.peer("g", GCP, 1001);
    f.peer("h", HETZNER, 1000);
    f.peer("lagging", FailureDomain.parse("provider=ovh,region=gra,country=FR,operator=op4,asn=16276"), 950);
    f.peer("liar", FailureDomain.parse("provider=vultr,region=ams,country=NL,operator=op5,asn=20473"), 1_000_000_000);
    f.transport.headNumber = -1;
    for (int i = 0; i < 300; i++) {
      f.router.route(f.read("eth_blockNumber")).join();
    }
    assertEquals(0, f.transport.callsTo("lagging"), "a node 50 blocks behind gets no traffic");
    for (String honest : List.of("a", "g", "h")) {
      assertTrue(f.transport.callsTo(honest) > 20, honest + " still gets traffic despite the liar");
    }
    assertEquals(1001, f.router.selector().tip(RouterFixture.CHAIN).getAsLong());
  }

  @Test
  void hedgeGoesToAnotherDomainAfterTheDefaultDelayWhenThePrimaryHangs() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().probationShare(0).build(), 5);
    f.peer("a", AWS, 100);
    f.peer("g", GCP, 100);
    f.transport.set("a", f.transport.hang());
    f.transport.set("g", f.transport.hang());
    CompletableFuture<ObjectNode> result = f.router.route(f.read("eth_getBlockByNumber"));
    assertEquals(1, f.transport.calls.size());
    String primary = f.transport.calls.get(0).peer();
    String backup = primary.equals("a") ? "g" : "a";
    f.transport.set(backup, f.transport.result("\"hedged\""));
    f.time.advance(RouterConfig.DEFAULT_HEDGE_DEFAULT_DELAY.minusMillis(1));
    assertEquals(1, f.transport.calls.size(), "no hedge before the delay");
    assertFalse(result.isDone());
    f.time.advance(Duration.ofMillis(1));
    assertEquals(List.of(primary, backup), f.transport.peersCalled());
    assertEquals("hedged", result.join().path("result").asText());
  }

  @Test
  void hedgeDelayFollowsThePrimarysLatencyQuantile() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().probationShare(0).maxDomainShare(1.0).build(), 9);
    f.peer("a", AWS, 100);
    f.transport.set("a", f.transport.delayed(Duration.ofMillis(80), "\"slow\""));
    for (int i = 0; i < 20; i++) {
      CompletableFuture<ObjectNode> r = f.router.route(f.read("eth_chainId"));
      f.time.advance(Duration.ofMillis(80));
      assertEquals("slow", r.join().path("result").asText());
    }
    assertEquals(Duration.ofMillis(80), f.router.reputation().latencyQuantile("a", 0.95).orElseThrow());
    f.peer("g", GCP, 100);
    f.transport.set("a", f.transport.hang());
    f.transport.set("g", f.transport.result("\"backup\""));
    // Route until "a" is the primary (g may be chosen first by the weighted draw).
    CompletableFuture<ObjectNode> r;
    do {
      f.transport.calls.clear();
      r = f.router.route(f.read("eth_chainId"));
    } while (!f.transport.calls.get(0).peer().equals("a"));
    f.time.advance(Duration.ofMillis(79));
    assertEquals(1, f.transport.calls.size(), "hedge waits for the primary's p95");
    f.time.advance(Duration.ofMillis(1));
    assertEquals("backup", r.join().path("result").asText());
  }

  @Test
  void deadlineEndsARequestWithTimeoutCode() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).build(), 1);
    f.peer("a", AWS, 100);
    f.transport.set("a", f.transport.hang());
    CompletableFuture<ObjectNode> r = f.router.route(f.read("eth_call"));
    f.time.advance(Duration.ofSeconds(10));
    RouteException e = routeError(r);
    assertEquals(RouteErrors.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("timed out"));
  }

  @Test
  void noPeersIsAClearError() {
    RouterFixture f = new RouterFixture();
    RouteException e = routeError(f.router.route(f.read("eth_call")));
    assertEquals("no peer serves eip155:31337 right now; retry when one connects", e.getMessage());
    assertEquals(RouteErrors.UNAVAILABLE, e.code());
    assertEquals("no fresh peer serves eip155:31337 right now: 2 peers serve it, none usable (too far behind the chain tip"
        + " or already tried)", RouteErrors.noPeers("eip155:31337", 2).getMessage());
  }

  @Test
  void domainShareIsCappedByWaterFilling() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).probationShare(0).build(), 13);
    for (int i = 0; i < 4; i++) {
      f.peer("aws-" + i, AWS, 100);
    }
    f.peer("gcp-0", GCP, 100);
    int n = 2000;
    for (int i = 0; i < n; i++) {
      f.router.route(f.read("eth_blockNumber")).join();
    }
    Map<String, Long> byProvider = f.transport.peersCalled().stream()
        .collect(Collectors.groupingBy(p -> p.substring(0, 3), HashMap::new, Collectors.counting()));
    double awsShare = byProvider.get("aws") / (double) n;
    assertTrue(awsShare < 0.55, "aws capped at half the traffic although it has 4 of 5 peers: " + awsShare);
    assertTrue(awsShare > 0.45, "the cap does not starve aws either: " + awsShare);
  }

  @Test
  void domainBreakerExcludesTheRestOfADomainAfterTwoPeersTrip() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).probationShare(0).maxDomainShare(1.0).build(), 17);
    f.peer("a1", AWS, 100);
    f.peer("a2", AWS, 100);
    f.peer("a3", AWS, 100);
    f.peer("g1", GCP, 100);
    f.transport.set("a1", f.transport.transportFailure());
    f.transport.set("a2", f.transport.transportFailure());
    while (f.router.breakers().domainState(AWS) != CircuitBreakers.State.OPEN) {
      f.router.route(f.read("eth_blockNumber")).join();
    }
    long a3Before = f.transport.callsTo("a3");
    for (int i = 0; i < 100; i++) {
      f.router.route(f.read("eth_blockNumber")).join();
    }
    assertEquals(a3Before, f.transport.callsTo("a3"), "healthy-looking a3 shares the dead domain's breaker");
  }

  @Test
  void peerOnProbationGetsOnlyASmallShare() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).maxDomainShare(1.0).build(), 19);
    f.peer("good", AWS, 100);
    f.peer("flaky", GCP, 100);
    // Fails two of every three requests: never three in a row (no breaker trip), but its success
    // rate settles far below the probation threshold.
    f.transport.set("flaky", f.transport.cycle(
        f.transport.error(-32603, "internal error"), f.transport.error(-32603, "internal error"), f.transport.result("\"0x1\"")));
    for (int i = 0; i < 2000; i++) {
      assertEquals("0x1", f.router.route(f.read("eth_blockNumber")).join().path("result").asText());
    }
    assertEquals(CircuitBreakers.State.CLOSED, f.router.breakers().peerState("flaky"));
    assertTrue(f.router.reputation().successRate("flaky") < RouterConfig.DEFAULT_PROBATION_THRESHOLD);
    long flaky = f.transport.callsTo("flaky");
    assertTrue(flaky > 0, "probation still lets it recover");
    assertTrue(flaky < 2000 * 0.10, "but only a small share: " + flaky);
  }

  @Test
  void ranksFasterPeersHigher() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).maxDomainShare(1.0).probationShare(0).build(), 23);
    f.peer("fast", AWS, 100);
    f.peer("slow", GCP, 100);
    f.transport.set("fast", f.transport.delayed(Duration.ofMillis(2), "1"));
    f.transport.set("slow", f.transport.delayed(Duration.ofMillis(200), "1"));
    for (int i = 0; i < 300; i++) {
      CompletableFuture<ObjectNode> r = f.router.route(f.read("eth_blockNumber"));
      f.time.advance(Duration.ofMillis(200));
      r.join();
    }
    assertTrue(f.transport.callsTo("fast") > 3 * f.transport.callsTo("slow"),
        "fast " + f.transport.callsTo("fast") + " vs slow " + f.transport.callsTo("slow"));
  }

  @Test
  void everyHedgeAndRetryTargetIsInADomainNotYetUsed() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().maxAttempts(3).build(), 29);
    List<FailureDomain> domains = List.of(AWS, GCP, HETZNER);
    for (int i = 0; i < 3; i++) {
      f.peer("p" + i + "a", domains.get(i), 100);
      f.peer("p" + i + "b", domains.get(i), 100);
    }
    for (int i = 0; i < 3; i++) {
      f.transport.set("p" + i + "a", f.transport.error(-32005, "limit exceeded"));
      f.transport.set("p" + i + "b", f.transport.error(-32005, "limit exceeded"));
    }
    RouteException e = routeError(f.router.route(f.read("eth_call")));
    assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
    Set<String> domainsTried = f.transport.peersCalled().stream().map(p -> p.substring(0, 2)).collect(Collectors.toSet());
    assertEquals(3, domainsTried.size(), "three attempts, three different domains: " + f.transport.peersCalled());
    assertNotEquals(0, f.transport.calls.size());
  }

  @Test
  void metricsCountAttemptsFailoversAndTripsWithBoundedTags() {
    RouterFixture f = new RouterFixture();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    DiversityRouter router = DiversityRouter.builder(f.directory, f.transport)
        .config(RouterConfig.builder().hedging(false).build()).clock(f.time).scheduler(f.time)
        .random(new java.util.Random(2)).blockingExecutor(Runnable::run).meterRegistry(registry).build();
    f.peer("a", AWS, 100);
    f.peer("g", GCP, 100);
    f.transport.set("a", f.transport.transportFailure());
    while (f.transport.callsTo("a") == 0) {
      router.route(f.read("eth_blockNumber")).join();
    }
    assertEquals(1.0, registry.get("disjoint.router.attempts").tag("outcome", "retryable").counter().count());
    assertEquals(1.0, registry.get("disjoint.router.failovers").counter().count());
    assertEquals(1.0, registry.get("disjoint.router.breaker.trips").tag("scope", "peer").counter().count());
    long ok = registry.get("disjoint.router.requests").tag("strategy", "any").tag("result", "ok").timer().count();
    assertEquals(f.transport.callsTo("g"), ok, "every request succeeded, each answered by g");
    assertTrue(registry.getMeters().stream().allMatch(m -> m.getId().getTags().stream()
        .noneMatch(t -> t.getValue().equals("a") || t.getValue().equals("g"))), "no peer id as a tag");
  }
}
