package io.disjoint.relay.select;

import io.disjoint.relay.directory.ChainHead;
import io.disjoint.relay.directory.DirectoryPeer;
import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.directory.PeerDirectory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;

/**
 * Chooses peers for a request: which are candidates (serving, fresh, not tripped), how they rank
 * (reputation), which one is the primary (water-filled across failure-domain groups so no group
 * takes more than its cap, with a small probation share) and which are backups (the most
 * disjoint from every domain already used).
 */
public final class CandidateSelector {
  /**
   * Answers a peer needs before its own latency ranks it; until then it counts as no slower than
   * the typical peer (optimism under uncertainty, so new or once-unlucky peers get explored).
   */
  static final int EXPLORATION_SAMPLES = 8;
  private static final Comparator<Candidate> BEST_FIRST =
      Comparator.comparingDouble(Candidate::score).reversed().thenComparing(Candidate::peerId);

  private final PeerDirectory directory;
  private final PeerReputation reputation;
  private final CircuitBreakers breakers;
  private final RouterConfig config;
  private final Clock clock;
  private final Random random;

  public CandidateSelector(PeerDirectory directory, PeerReputation reputation, CircuitBreakers breakers,
      RouterConfig config, Clock clock, Random random) {
    this.directory = directory;
    this.reputation = reputation;
    this.breakers = breakers;
    this.config = config;
    this.clock = clock;
    this.random = random;
  }

  /** The error for a request that found no candidate: whether nobody serves the chain or all lag. */
  public io.disjoint.relay.route.RouteException noCandidate(String chain) {
    return RouteErrors.noPeers(chain, directory.peersServing(chain).size());
  }

  /**
   * The block a quorum read on "latest" is pinned to: the lowest fresh head reported by any
   * candidate. Every candidate — participant, spare or tie-breaker — then has that block, so a
   * split vote can always be resolved; and since candidates are within {@code syncAllowanceBlocks}
   * of the median-based tip, a peer reporting a low head can pull the pin at most that far back.
   * Without fresh reports among the candidates: the tip minus {@code syncAllowanceBlocks}; without
   * any fresh report: empty (the request goes as it is).
   */
  public OptionalLong pinBlock(String chain, List<Candidate> candidates) {
    Instant now = clock.instant();
    long lowest = Long.MAX_VALUE;
    for (Candidate c : candidates) {
      if (isFreshReport(c.peer().head(), now)) {
        lowest = Math.min(lowest, c.peer().head().number());
      }
    }
    if (lowest != Long.MAX_VALUE) {
      return OptionalLong.of(lowest);
    }
    OptionalLong tip = tip(chain);
    return tip.isPresent() ? OptionalLong.of(Math.max(0, tip.getAsLong() - config.syncAllowanceBlocks())) : OptionalLong.empty();
  }

  /** Whether a candidate can answer at {@code block}: its fresh report is at or past it, or it has none. */
  boolean mayHave(Candidate c, long block) {
    ChainHead head = c.peer().head();
    return !isFreshReport(head, clock.instant()) || head.number() >= block;
  }

  /** The estimated tip of a chain from the fresh head reports of its peers. */
  public OptionalLong tip(String chain) {
    return tip(directory.peersServing(chain), clock.instant());
  }

  private OptionalLong tip(List<DirectoryPeer> peers, Instant now) {
    List<Long> heads = new ArrayList<>();
    for (DirectoryPeer p : peers) {
      if (isFreshReport(p.head(), now)) {
        heads.add(p.head().number());
      }
    }
    return TipEstimator.tip(heads, config.syncAllowanceBlocks());
  }

  /**
   * Median of the p50 latencies (nanoseconds, -1 = none) of the peers with at least
   * {@link #EXPLORATION_SAMPLES} answers, or -1 when none has that many yet.
   */
  private static long typicalLatencyNanos(long[] p50s, int[] samples) {
    long[] judged = new long[p50s.length];
    int n = 0;
    for (int i = 0; i < p50s.length; i++) {
      if (samples[i] >= EXPLORATION_SAMPLES && p50s[i] >= 0) {
        judged[n++] = p50s[i];
      }
    }
    if (n == 0) {
      return -1;
    }
    java.util.Arrays.sort(judged, 0, n);
    return judged[n / 2];
  }

  private boolean isFreshReport(ChainHead head, Instant now) {
    return head.known() && !head.observedAt().plus(config.headMaxAge()).isBefore(now);
  }

  /**
   * Candidates for a chain, best first. Stale peers are never candidates. Tripped peers are
   * returned (marked) only when no untripped peer is left, since trying them beats failing.
   */
  public List<Candidate> candidates(String chain) {
    Instant now = clock.instant();
    List<DirectoryPeer> peers = directory.peersServing(chain);
    OptionalLong tip = tip(peers, now);
    // Each peer's latency window is read once per call: its p50 and how many answers it holds.
    long[] p50s = new long[peers.size()];
    int[] samples = new int[peers.size()];
    for (int i = 0; i < p50s.length; i++) {
      String id = peers.get(i).peerId();
      samples[i] = reputation.latencySamples(id);
      p50s[i] = reputation.latencyQuantile(id, 0.5).map(Duration::toNanos).orElse(-1L);
    }
    long typical = typicalLatencyNanos(p50s, samples);
    List<Candidate> usable = new ArrayList<>();
    List<Candidate> tripped = new ArrayList<>();
    for (int i = 0; i < p50s.length; i++) {
      DirectoryPeer p = peers.get(i);
      double freshness;
      long lag = 0;
      if (isFreshReport(p.head(), now) && tip.isPresent()) {
        lag = Math.max(0, tip.getAsLong() - p.head().number());
        if (lag > config.syncAllowanceBlocks()) {
          continue;
        }
        freshness = 1.0 - 0.5 * lag / (config.syncAllowanceBlocks() + 1.0);
      } else {
        freshness = config.unknownHeadFactor();
      }
      CircuitBreakers.State peerState = breakers.peerState(p.peerId());
      CircuitBreakers.State domainState = breakers.domainState(p.domain());
      double success = reputation.successRate(p.peerId());
      double ref = config.latencyReference().toNanos();
      double p50 = p50s[i] >= 0 ? p50s[i] : ref;
      if (samples[i] < EXPLORATION_SAMPLES && typical >= 0) {
        // Too few answers to judge: rank it as a typical peer, so one slow first answer (a cold
        // cache, a loaded moment) does not starve it of the traffic that would correct it.
        p50 = Math.min(p50, typical);
      }
      // A request still waiting counts as at least that slow: a peer whose requests hang loses
      // rank at once instead of staying first choice until they time out.
      double waiting = reputation.oldestInFlight(p.peerId(), now).map(Duration::toNanos).orElse(0L);
      double latency = Math.max(p50, waiting);
      double score = Math.max(1e-9, success * success * (ref / (ref + latency)) * freshness);
      boolean isTripped = peerState == CircuitBreakers.State.OPEN || domainState == CircuitBreakers.State.OPEN;
      boolean probation = peerState == CircuitBreakers.State.HALF_OPEN
          || domainState == CircuitBreakers.State.HALF_OPEN
          || success < config.probationThreshold();
      Candidate c = new Candidate(p, score, probation, isTripped, lag);
      (isTripped ? tripped : usable).add(c);
    }
    List<Candidate> out = usable.isEmpty() ? tripped : usable;
    out.sort(BEST_FIRST);
    return out;
  }

  /** The primary for a request: water-filled over domain groups, probation peers get a small share. */
  public Optional<Candidate> pickPrimary(List<Candidate> candidates) {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    // Runs for every request: plain loops, no streams, no hashing of candidate records.
    List<Candidate> healthy = new ArrayList<>(candidates.size());
    List<Candidate> probation = new ArrayList<>(0);
    for (Candidate c : candidates) {
      (c.probation() || c.tripped() ? probation : healthy).add(c);
    }
    if (healthy.isEmpty()) {
      return Optional.of(probation.get(0));
    }
    if (!probation.isEmpty() && random.nextDouble() < config.probationShare()) {
      return Optional.of(probation.get(random.nextInt(probation.size())));
    }
    Map<String, List<Candidate>> groups = new LinkedHashMap<>();
    for (Candidate c : healthy) {
      groups.computeIfAbsent(c.domain().value(config.capDimension()), k -> new ArrayList<>()).add(c);
    }
    Map<String, Double> weights = new LinkedHashMap<>();
    groups.forEach((k, members) -> {
      double sum = 0;
      for (Candidate m : members) {
        sum += weight(m);
      }
      weights.put(k, sum);
    });
    Map<String, Double> shares = WaterFilling.shares(weights, config.maxDomainShare());
    String group = weightedPick(shares);
    List<Candidate> members = groups.get(group);
    double[] memberWeights = new double[members.size()];
    for (int i = 0; i < memberWeights.length; i++) {
      memberWeights[i] = weight(members.get(i));
    }
    return Optional.of(members.get(weightedIndex(memberWeights)));
  }

  private double weight(Candidate c) {
    return Math.pow(c.score(), config.rankSharpness());
  }

  private <K> K weightedPick(Map<K, Double> weights) {
    double total = 0;
    for (double w : weights.values()) {
      total += w;
    }
    double r = random.nextDouble() * total;
    K last = null;
    for (Map.Entry<K, Double> e : weights.entrySet()) {
      last = e.getKey();
      r -= e.getValue();
      if (r < 0) {
        return e.getKey();
      }
    }
    return last;
  }

  private int weightedIndex(double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double r = random.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /**
   * A backup outside every domain in {@code avoid} and not among {@code usedPeers}: healthy before
   * probation, then one not correlated with any avoided domain (another provider and ASN, see
   * {@link FailureDomain#correlatedWith}) before a correlated one, then the one whose nearest
   * avoided domain is farthest, then by score. A correlated backup is still better than none: a
   * hedge or failover into another region of the same provider may well succeed.
   */
  public Optional<Candidate> pickDisjoint(List<Candidate> candidates, Set<String> usedPeers, Collection<FailureDomain> avoid) {
    Candidate best = null;
    boolean bestCorrelated = false;
    int bestDistance = -1;
    for (Candidate c : candidates) {
      if (usedPeers.contains(c.peerId()) || avoid.contains(c.domain())) {
        continue;
      }
      boolean correlated = correlatedWithAny(c.domain(), avoid);
      int distance = minDistance(c.domain(), avoid);
      if (best == null || better(c, correlated, distance, best, bestCorrelated, bestDistance)) {
        best = c;
        bestCorrelated = correlated;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  private static boolean better(Candidate c, boolean correlated, int distance, Candidate best, boolean bestCorrelated,
      int bestDistance) {
    boolean cHealthy = !c.probation() && !c.tripped();
    boolean bHealthy = !best.probation() && !best.tripped();
    if (cHealthy != bHealthy) {
      return cHealthy;
    }
    if (correlated != bestCorrelated) {
      return !correlated;
    }
    if (distance != bestDistance) {
      return distance > bestDistance;
    }
    return c.score() > best.score();
  }

  static boolean correlatedWithAny(FailureDomain d, Collection<FailureDomain> others) {
    for (FailureDomain o : others) {
      if (d.correlatedWith(o)) {
        return true;
      }
    }
    return false;
  }

  private static int minDistance(FailureDomain d, Collection<FailureDomain> others) {
    int min = FailureDomain.Dimension.values().length;
    for (FailureDomain o : others) {
      min = Math.min(min, d.distance(o));
    }
    return min;
  }

  /**
   * Up to {@code k} peers in pairwise uncorrelated failure domains (no two share a provider or a
   * known ASN, see {@link FailureDomain#correlatedWith}), each drawn at random by
   * {@code score^rankSharpness} among the unused candidates not correlated with any domain chosen
   * so far (or in {@code avoid}), healthy before probation, most disjoint first (see
   * {@link #drawDisjoint}). Random rather than best-first, so that no single peer (the fastest
   * liar, say) sits in every quorum. For quorums.
   */
  public List<Candidate> pickDisjointSet(List<Candidate> candidates, int k, Set<String> usedPeers, Collection<FailureDomain> avoid) {
    return pickDisjointSet(candidates, k, usedPeers, avoid, false);
  }

  /**
   * As above; with {@code fillCorrelated}, when too few uncorrelated peers exist the rest are
   * drawn from domains that differ but are correlated (broadcasts: more copies beat fewer).
   */
  public List<Candidate> pickDisjointSet(List<Candidate> candidates, int k, Set<String> usedPeers,
      Collection<FailureDomain> avoid, boolean fillCorrelated) {
    List<Candidate> chosen = new ArrayList<>();
    Set<String> used = new HashSet<>(usedPeers);
    List<FailureDomain> domains = new ArrayList<>(avoid);
    while (chosen.size() < k) {
      Optional<Candidate> next = drawDisjoint(candidates, used, domains);
      if (next.isEmpty() && fillCorrelated) {
        next = drawDifferentDomain(candidates, used, domains);
      }
      if (next.isEmpty()) {
        break;
      }
      chosen.add(next.get());
      used.add(next.get().peerId());
      domains.add(next.get().domain());
    }
    return chosen;
  }

  private Optional<Candidate> drawDifferentDomain(List<Candidate> candidates, Set<String> usedPeers,
      Collection<FailureDomain> avoid) {
    List<Candidate> pool = new ArrayList<>();
    for (Candidate c : candidates) {
      if (!usedPeers.contains(c.peerId()) && !avoid.contains(c.domain())) {
        pool.add(c);
      }
    }
    if (pool.isEmpty()) {
      return Optional.empty();
    }
    double[] weights = new double[pool.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = weight(pool.get(i));
    }
    return Optional.of(pool.get(weightedIndex(weights)));
  }

  /**
   * One peer not among {@code usedPeers} and not correlated with any domain in {@code avoid}
   * (another provider and ASN), drawn at random: only the best tier counts (healthy before probation or tripped, then the farthest
   * from the nearest avoided domain), and within it each peer's chance is proportional to
   * {@code score^rankSharpness}.
   */
  public Optional<Candidate> drawDisjoint(List<Candidate> candidates, Set<String> usedPeers, Collection<FailureDomain> avoid) {
    List<Candidate> tier = new ArrayList<>();
    boolean tierHealthy = false;
    int tierDistance = -1;
    for (Candidate c : candidates) {
      if (usedPeers.contains(c.peerId()) || correlatedWithAny(c.domain(), avoid)) {
        continue;
      }
      boolean healthy = !c.probation() && !c.tripped();
      int distance = avoid.isEmpty() ? 0 : minDistance(c.domain(), avoid);
      boolean better = tier.isEmpty() || (healthy && !tierHealthy) || (healthy == tierHealthy && distance > tierDistance);
      if (better) {
        tier.clear();
        tierHealthy = healthy;
        tierDistance = distance;
      }
      if (better || (healthy == tierHealthy && distance == tierDistance)) {
        tier.add(c);
      }
    }
    if (tier.isEmpty()) {
      return Optional.empty();
    }
    double[] weights = new double[tier.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = weight(tier.get(i));
    }
    return Optional.of(tier.get(weightedIndex(weights)));
  }
}
