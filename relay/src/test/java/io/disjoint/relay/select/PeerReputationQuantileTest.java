package io.disjoint.relay.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** The incrementally sorted latency window answers exactly what sorting the last answers would. */
class PeerReputationQuantileTest {

  @Property(tries = 300)
  void quantilesMatchSortingTheWindow(
      @ForAll @Size(min = 1, max = 200) List<@LongRange(min = 0, max = 50) Long> latenciesMillis,
      @ForAll @IntRange(min = 8, max = 40) int window) {
    PeerReputation reputation = new PeerReputation(0.1, window);
    for (long ms : latenciesMillis) {
      reputation.recordAnswer("p", Duration.ofMillis(ms));
    }
    List<Long> last = latenciesMillis.subList(Math.max(0, latenciesMillis.size() - window), latenciesMillis.size());
    long[] sorted = last.stream().mapToLong(Long::longValue).sorted().toArray();
    for (double q : new double[] {0.01, 0.25, 0.5, 0.9, 0.95, 0.99}) {
      int idx = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
      long expected = sorted[Math.max(0, idx)];
      assertEquals(Duration.ofMillis(expected), reputation.latencyQuantile("p", q).orElseThrow(),
          "q=" + q + " over " + Arrays.toString(sorted));
    }
  }

  @Property(tries = 50)
  void noAnswersMeansNoQuantile(@ForAll @IntRange(min = 8, max = 64) int window) {
    PeerReputation reputation = new PeerReputation(0.1, window);
    reputation.recordFailure("p");
    assertTrue(reputation.latencyQuantile("p", 0.5).isEmpty());
  }
}
