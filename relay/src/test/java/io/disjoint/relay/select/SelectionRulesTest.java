package io.disjoint.relay.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.directory.FailureDomain;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The small rules the router is built from: tip, water filling, error classes, canonical form, breakers. */
class SelectionRulesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode json(String s) throws Exception {
    return (ObjectNode) JSON.readTree(s);
  }

  @Test
  void tipIgnoresAMinorityOfLiars() {
    assertEquals(101, TipEstimator.tip(List.of(100L, 101L, 100L, 1_000_000L), 4).getAsLong());
    assertEquals(100, TipEstimator.tip(List.of(100L, 5_000L), 4).getAsLong(), "two reports: the lower median wins");
    assertEquals(104, TipEstimator.tip(List.of(100L, 104L, 99L), 4).getAsLong());
    assertTrue(TipEstimator.tip(List.of(), 4).isEmpty());
  }

  @Property(tries = 300)
  void tipNeverExceedsTheHonestMajorityByMoreThanTheAllowance(
      @ForAll @Size(min = 3, max = 20) List<@LongRange(min = 1000, max = 1010) Long> honest,
      @ForAll @Size(max = 20) List<@LongRange(min = 0, max = 1_000_000_000) Long> liars) {
    if (liars.size() >= honest.size()) {
      return;
    }
    List<Long> all = new java.util.ArrayList<>(honest);
    all.addAll(liars);
    long tip = TipEstimator.tip(all, 4).getAsLong();
    long maxHonest = honest.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertTrue(tip <= maxHonest + 4, "tip " + tip + " pulled up by liars");
  }

  @Test
  void waterFillingCapsAndRedistributes() {
    Map<String, Double> w = new LinkedHashMap<>();
    w.put("aws", 8.0);
    w.put("gcp", 1.0);
    w.put("ovh", 1.0);
    Map<String, Double> s = WaterFilling.shares(w, 0.5);
    assertEquals(0.5, s.get("aws"), 1e-9);
    assertEquals(0.25, s.get("gcp"), 1e-9);
    assertEquals(0.25, s.get("ovh"), 1e-9);
    Map<String, Double> single = WaterFilling.shares(Map.of("aws", 3.0), 0.5);
    assertEquals(1.0, single.get("aws"), 1e-9, "an infeasible cap degrades to equal shares");
  }

  @Property(tries = 300)
  void waterFillingSharesSumToOneAndRespectTheCap(
      @ForAll @Size(min = 1, max = 12) List<@DoubleRange(min = 0.01, max = 100) Double> weights,
      @ForAll @DoubleRange(min = 0.05, max = 1.0) double cap) {
    Map<Integer, Double> w = new LinkedHashMap<>();
    for (int i = 0; i < weights.size(); i++) {
      w.put(i, weights.get(i));
    }
    Map<Integer, Double> s = WaterFilling.shares(w, cap);
    assertEquals(1.0, s.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
    double bound = weights.size() * cap < 1 ? 1.0 / weights.size() : cap;
    s.values().forEach(v -> assertTrue(v <= bound + 1e-9, v + " over " + bound));
  }

  @Test
  void errorsAreSortedByWhoseFaultTheyAre() throws Exception {
    ErrorClassifier c = new ErrorClassifier(RouterConfig.DEFAULT_RETRYABLE_ERROR_PATTERNS);
    assertEquals(Outcome.RESULT, c.classify(json("{\"result\":null}")));
    assertEquals(Outcome.DETERMINISTIC_ERROR, c.classify(json("{\"error\":{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0x08c379a0\"}}")));
    assertEquals(Outcome.DETERMINISTIC_ERROR, c.classify(json("{\"error\":{\"code\":-32602,\"message\":\"invalid params\"}}")));
    assertEquals(Outcome.DETERMINISTIC_ERROR, c.classify(json("{\"error\":{\"code\":-32000,\"message\":\"nonce too low\"}}")));
    assertEquals(Outcome.DETERMINISTIC_ERROR, c.classify(json("{\"error\":{\"code\":-32000,\"message\":\"execution reverted\"}}")));
    assertEquals(Outcome.RETRYABLE, c.classify(json("{\"error\":{\"code\":-32000,\"message\":\"header not found\"}}")));
    assertEquals(Outcome.RETRYABLE, c.classify(json("{\"error\":{\"code\":-32000,\"message\":\"missing trie node abc\"}}")));
    assertEquals(Outcome.RETRYABLE, c.classify(json("{\"error\":{\"code\":-32005,\"message\":\"limit exceeded\"}}")));
    assertEquals(Outcome.RETRYABLE, c.classify(json("{\"error\":{\"code\":-32603,\"message\":\"internal\"}}")));
    assertEquals(Outcome.RETRYABLE, c.classify(json("{\"error\":{\"code\":429,\"message\":\"Too Many Requests\"}}")));
    assertEquals(Outcome.RETRYABLE, c.classify(json("{\"error\":\"weird\"}")));
    assertEquals(Outcome.RETRYABLE, c.classify(json("{\"jsonrpc\":\"2.0\"}")));
  }

  @Test
  void canonicalFormIgnoresKeyOrderHexCaseAndListedFields() throws Exception {
    ResultCanonicalizer c = new ResultCanonicalizer(Set.of("totalDifficulty"));
    String a = c.canonical(json("{\"id\":1,\"result\":{\"hash\":\"0xABcd\",\"n\":[1,{\"y\":2,\"x\":\"s\"}],\"totalDifficulty\":\"0x1\"}}"));
    String b = c.canonical(json("{\"id\":9,\"result\":{\"n\":[1,{\"x\":\"s\",\"y\":2}],\"hash\":\"0xabcd\"}}"));
    assertEquals(a, b);
    String tampered = c.canonical(json("{\"result\":{\"n\":[1,{\"x\":\"s\",\"y\":3}],\"hash\":\"0xabcd\"}}"));
    assertTrue(!a.equals(tampered));
    assertEquals(c.canonical(json("{\"error\":{\"code\":3,\"message\":\"reverted: A\"}}")),
        c.canonical(json("{\"error\":{\"code\":3,\"message\":\"execution reverted: A\"}}")), "error messages differ by client");
    assertTrue(!c.canonical(json("{\"result\":\"Ab\"}")).equals(c.canonical(json("{\"result\":\"ab\"}"))), "only hex is case-folded");
  }

  @Test
  void breakerCooldownEscalatesAndResetsOnSuccess() {
    ManualTime time = new ManualTime();
    RouterConfig cfg = RouterConfig.defaults();
    CircuitBreakers b = new CircuitBreakers(time, cfg);
    FailureDomain d = FailureDomain.parse("provider=aws");
    b.onFailure("p", d, false);
    b.onFailure("p", d, false);
    assertEquals(CircuitBreakers.State.CLOSED, b.peerState("p"), "two failures are not enough");
    b.onFailure("p", d, false);
    assertEquals(CircuitBreakers.State.OPEN, b.peerState("p"));
    assertEquals(time.instant().plus(Duration.ofSeconds(5)), b.peerOpenUntil("p"));
    time.advance(Duration.ofSeconds(5));
    assertEquals(CircuitBreakers.State.HALF_OPEN, b.peerState("p"));
    b.onFailure("p", d, false);
    assertEquals(CircuitBreakers.State.OPEN, b.peerState("p"), "a failure on probation re-opens at once");
    assertEquals(time.instant().plus(Duration.ofSeconds(10)), b.peerOpenUntil("p"), "cooldown doubled");
    time.advance(Duration.ofSeconds(10));
    b.onAnswer("p", d);
    assertEquals(CircuitBreakers.State.CLOSED, b.peerState("p"));
    b.onFailure("p", d, true);
    assertEquals(time.instant().plus(Duration.ofSeconds(5)), b.peerOpenUntil("p"), "success reset the escalation");
  }

  @Test
  void breakerCooldownStopsAtTheMaximum() {
    ManualTime time = new ManualTime();
    CircuitBreakers b = new CircuitBreakers(time, RouterConfig.defaults());
    FailureDomain d = FailureDomain.UNKNOWN;
    for (int i = 0; i < 30; i++) {
      b.onFailure("p", d, true);
      time.advance(Duration.between(time.instant(), b.peerOpenUntil("p")));
    }
    b.onFailure("p", d, true);
    assertEquals(time.instant().plus(RouterConfig.DEFAULT_BREAKER_MAX_COOLDOWN), b.peerOpenUntil("p"));
  }

  @Test
  void configRejectsNonsenseNamingTheParameter() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RouterConfig.builder().maxDomainShare(0).build());
    assertTrue(e.getMessage().contains("maxDomainShare"));
  }

  @Test
  void wheelSchedulerRunsDueTasksAndDropsCancelledOnes() throws Exception {
    io.netty.util.HashedWheelTimer timer = new io.netty.util.HashedWheelTimer(1, java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      Scheduler s = Scheduler.wheel(timer);
      java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.atomic.AtomicBoolean cancelledRan = new java.util.concurrent.atomic.AtomicBoolean();
      // The cancelled task is due well after the other one, so that a busy machine pausing this
      // thread between schedule and cancel cannot let it expire first.
      s.schedule(Duration.ofMillis(100), () -> cancelledRan.set(true)).cancel();
      s.schedule(Duration.ofMillis(20), ran::countDown);
      assertTrue(ran.await(5, java.util.concurrent.TimeUnit.SECONDS));
      Thread.sleep(300);
      assertTrue(!cancelledRan.get(), "a cancelled task never runs");
    } finally {
      timer.stop();
    }
  }
}
