package io.disjoint.relay.select;

import io.disjoint.relay.directory.FailureDomain;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Circuit breakers per peer and per failure domain. A peer trips after {@code failures}
 * consecutive retryable failures (at once for a transport failure: the connection is gone); a
 * domain trips when {@code domainPeers} distinct peers in it tripped within {@code domainWindow}
 * (the whole domain is likely down). A tripped breaker stays open for a cooldown that doubles on
 * each re-trip up to a maximum, then half-opens: the peer is on probation and its next answer
 * closes the breaker (and resets the cooldown) or its next failure re-opens it.
 */
public final class CircuitBreakers {
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private final Clock clock;
  private final int failuresToTrip;
  private final Duration baseCooldown;
  private final Duration maxCooldown;
  private final int domainPeers;
  private final Duration domainWindow;
  private final Map<String, Breaker> peers = new HashMap<>();
  private final Map<FailureDomain, Breaker> domains = new HashMap<>();
  private final Map<FailureDomain, Deque<Trip>> recentTrips = new HashMap<>();

  private record Trip(String peer, Instant at) {}

  private static final class Breaker {
    int consecutiveFailures;
    int trips;
    Instant openUntil = Instant.MIN;
    boolean everOpened;
  }

  /** Told about every trip (metrics); called under the breakers' lock, must not block. */
  public interface TripListener {
    void tripped(boolean wholeDomain);

    TripListener NONE = wholeDomain -> {};
  }

  private final TripListener listener;

  public CircuitBreakers(Clock clock, RouterConfig config) {
    this(clock, config, TripListener.NONE);
  }

  public CircuitBreakers(Clock clock, RouterConfig config, TripListener listener) {
    this.listener = listener;
    this.clock = clock;
    this.failuresToTrip = config.breakerFailures();
    this.baseCooldown = config.breakerBaseCooldown();
    this.maxCooldown = config.breakerMaxCooldown();
    this.domainPeers = config.domainBreakerPeers();
    this.domainWindow = config.domainBreakerWindow();
  }

  public synchronized State peerState(String peer) {
    return state(peers.get(peer));
  }

  public synchronized State domainState(FailureDomain domain) {
    return state(domains.get(domain));
  }

  private State state(Breaker b) {
    if (b == null || !b.everOpened) {
      return State.CLOSED;
    }
    if (clock.instant().isBefore(b.openUntil)) {
      return State.OPEN;
    }
    return b.consecutiveFailures == 0 ? State.CLOSED : State.HALF_OPEN;
  }

  /** The peer answered: closes its breaker and its domain's. */
  public synchronized void onAnswer(String peer, FailureDomain domain) {
    Breaker b = peers.get(peer);
    if (b != null) {
      b.consecutiveFailures = 0;
      b.trips = 0;
    }
    Breaker d = domains.get(domain);
    if (d != null && !clock.instant().isBefore(d.openUntil)) {
      d.consecutiveFailures = 0;
      d.trips = 0;
    }
  }

  /**
   * The peer failed retryably.
   *
   * @param transport the stream or connection failed (rather than the node reporting trouble)
   */
  public synchronized void onFailure(String peer, FailureDomain domain, boolean transport) {
    Instant now = clock.instant();
    Breaker b = peers.computeIfAbsent(peer, p -> new Breaker());
    b.consecutiveFailures++;
    boolean halfOpen = b.everOpened && !now.isBefore(b.openUntil) && b.consecutiveFailures > 1;
    if (transport || halfOpen || b.consecutiveFailures >= failuresToTrip) {
      if (now.isBefore(b.openUntil)) {
        return;
      }
      open(b, now);
      listener.tripped(false);
      Deque<Trip> trips = recentTrips.computeIfAbsent(domain, d -> new ArrayDeque<>());
      trips.addLast(new Trip(peer, now));
      while (!trips.isEmpty() && trips.peekFirst().at().isBefore(now.minus(domainWindow))) {
        trips.removeFirst();
      }
      long distinct = trips.stream().map(Trip::peer).distinct().count();
      if (distinct >= domainPeers) {
        Breaker d = domains.computeIfAbsent(domain, x -> new Breaker());
        if (!now.isBefore(d.openUntil)) {
          d.consecutiveFailures++;
          open(d, now);
          listener.tripped(true);
        }
        trips.clear();
      }
    }
  }

  private void open(Breaker b, Instant now) {
    long factor = 1L << Math.min(20, b.trips);
    Duration cooldown = baseCooldown.multipliedBy(factor);
    if (cooldown.compareTo(maxCooldown) > 0) {
      cooldown = maxCooldown;
    }
    b.trips++;
    b.everOpened = true;
    b.openUntil = now.plus(cooldown);
  }

  /** When the peer's breaker closes again (for tests and status pages). */
  public synchronized Instant peerOpenUntil(String peer) {
    Breaker b = peers.get(peer);
    return b == null ? Instant.MIN : b.openUntil;
  }
}
