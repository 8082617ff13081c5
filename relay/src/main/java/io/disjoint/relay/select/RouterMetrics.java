package io.disjoint.relay.select;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Router meters, all created up front with tags from fixed enums (never a peer id, chain or
 * method — the gateway counts per method):
 *
 * <ul>
 *   <li>{@code disjoint.router.requests} (timer) by strategy and result (ok, error)
 *   <li>{@code disjoint.router.attempts} (counter) by outcome (result, deterministic_error, retryable)
 *   <li>{@code disjoint.router.attempt.latency} (timer): one peer's answer time
 *   <li>{@code disjoint.router.hedges}, {@code disjoint.router.hedges.suppressed} (a hedge was due
 *       but the hedge budget was spent), {@code disjoint.router.failovers},
 *       {@code disjoint.router.quorum.dissent}, {@code disjoint.router.quorum.tiebreakers},
 *       {@code disjoint.router.quorum.pinned} (quorum reads on "latest" pinned to a block) (counters)
 *   <li>{@code disjoint.router.breaker.trips} (counter) by scope (peer, domain)
 * </ul>
 */
public final class RouterMetrics {
  /** How a request was routed. */
  public enum Strategy {
    ANY, QUORUM, BROADCAST, STICKY_FILTER, STICKY_SESSION, LOGS_SPLIT, SUBSCRIPTION
  }

  private final Map<Strategy, Timer> ok = new EnumMap<>(Strategy.class);
  private final Map<Strategy, Timer> error = new EnumMap<>(Strategy.class);
  private final Map<Outcome, Counter> attempts = new EnumMap<>(Outcome.class);
  private final Timer attemptLatency;
  private final Counter hedges;
  private final Counter hedgesSuppressed;
  private final Counter pinned;
  private final Counter failovers;
  private final Counter dissent;
  private final Counter tieBreakers;
  private final Counter peerTrips;
  private final Counter domainTrips;

  public RouterMetrics(MeterRegistry registry) {
    for (Strategy s : Strategy.values()) {
      String tag = s.name().toLowerCase(Locale.ROOT);
      ok.put(s, Timer.builder("disjoint.router.requests").tag("strategy", tag).tag("result", "ok").register(registry));
      error.put(s, Timer.builder("disjoint.router.requests").tag("strategy", tag).tag("result", "error").register(registry));
    }
    for (Outcome o : Outcome.values()) {
      attempts.put(o, Counter.builder("disjoint.router.attempts").tag("outcome", o.name().toLowerCase(Locale.ROOT)).register(registry));
    }
    attemptLatency = Timer.builder("disjoint.router.attempt.latency").register(registry);
    hedges = Counter.builder("disjoint.router.hedges").register(registry);
    hedgesSuppressed = Counter.builder("disjoint.router.hedges.suppressed")
        .description("hedges not sent because the hedge budget was spent").register(registry);
    pinned = Counter.builder("disjoint.router.quorum.pinned")
        .description("quorum reads on latest pinned to one block").register(registry);
    failovers = Counter.builder("disjoint.router.failovers").register(registry);
    dissent = Counter.builder("disjoint.router.quorum.dissent").register(registry);
    tieBreakers = Counter.builder("disjoint.router.quorum.tiebreakers").register(registry);
    peerTrips = Counter.builder("disjoint.router.breaker.trips").tag("scope", "peer").register(registry);
    domainTrips = Counter.builder("disjoint.router.breaker.trips").tag("scope", "domain").register(registry);
  }

  /** Meters kept in a private registry (tests, or when nobody scrapes). */
  public static RouterMetrics unregistered() {
    return new RouterMetrics(new SimpleMeterRegistry());
  }

  void request(Strategy s, boolean succeeded, Duration took) {
    (succeeded ? ok : error).get(s).record(took);
  }

  void attempt(Outcome o, Duration latency) {
    attempts.get(o).increment();
    if (o != Outcome.RETRYABLE) {
      attemptLatency.record(latency);
    }
  }

  void hedge() {
    hedges.increment();
  }

  void hedgeSuppressed() {
    hedgesSuppressed.increment();
  }

  void quorumPinned() {
    pinned.increment();
  }

  void failover() {
    failovers.increment();
  }

  void dissent(int n) {
    dissent.increment(n);
  }

  /** A further quorum participant was asked because the answers so far disagreed. */
  void tieBreaker() {
    tieBreakers.increment();
  }

  void peerTripped() {
    peerTrips.increment();
  }

  void domainTripped() {
    domainTrips.increment();
  }
}
