package io.disjoint.relay.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.directory.InMemoryPeerDirectory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A peer with too few answers to judge is ranked as a typical peer, not starved by one slow answer. */
class ExplorationTest {
  private static final String CHAIN = "eip155:31337";

  @Test
  void oneSlowFirstAnswerDoesNotStarveAPeer() {
    ManualTime time = new ManualTime();
    InMemoryPeerDirectory directory = new InMemoryPeerDirectory(time);
    directory.putStatic("aws", FailureDomain.parse("provider=aws"), Set.of(CHAIN));
    directory.putStatic("gcp", FailureDomain.parse("provider=gcp"), Set.of(CHAIN));
    directory.putStatic("hetzner", FailureDomain.parse("provider=hetzner"), Set.of(CHAIN));
    RouterConfig config = RouterConfig.defaults();
    PeerReputation reputation = new PeerReputation(config.successEwmaAlpha(), config.latencyWindow());
    CandidateSelector selector = new CandidateSelector(directory, reputation, new CircuitBreakers(time, config),
        config, time, new Random(7));
    for (int i = 0; i < 20; i++) {
      reputation.recordAnswer("aws", Duration.ofMillis(1));
      reputation.recordAnswer("gcp", Duration.ofMillis(1));
    }
    reputation.recordAnswer("hetzner", Duration.ofMillis(40)); // one unlucky first answer

    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      picks.merge(selector.pickPrimary(selector.candidates(CHAIN)).orElseThrow().peerId(), 1, Integer::sum);
    }
    int hetzner = picks.getOrDefault("hetzner", 0);
    assertTrue(hetzner > 600, "explored like a typical peer (~1/3): " + picks);

    // Once it has enough answers its own latency ranks it: slow answers push it down.
    for (int i = 0; i < CandidateSelector.EXPLORATION_SAMPLES; i++) {
      reputation.recordAnswer("hetzner", Duration.ofMillis(40));
    }
    picks.clear();
    for (int i = 0; i < 3_000; i++) {
      picks.merge(selector.pickPrimary(selector.candidates(CHAIN)).orElseThrow().peerId(), 1, Integer::sum);
    }
    assertTrue(picks.getOrDefault("hetzner", 0) < 300, "a peer proven slow gets less: " + picks);
    assertEquals(3_000, picks.values().stream().mapToInt(Integer::intValue).sum());
  }
}
