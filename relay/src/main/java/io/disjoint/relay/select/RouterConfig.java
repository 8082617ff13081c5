package io.disjoint.relay.select;

import io.disjoint.relay.directory.FailureDomain;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every parameter of the diversity router, with named defaults (docs/selection.md explains each).
 */
public record RouterConfig(
    long syncAllowanceBlocks,
    Duration headMaxAge,
    double unknownHeadFactor,
    int maxAttempts,
    boolean hedging,
    double hedgeQuantile,
    Duration hedgeMinDelay,
    Duration hedgeMaxDelay,
    Duration hedgeDefaultDelay,
    double hedgeBudget,
    Duration hedgeBudgetWindow,
    int hedgeBudgetMinimum,
    FailureDomain.Dimension capDimension,
    double maxDomainShare,
    double rankSharpness,
    Duration latencyReference,
    int latencyWindow,
    double successEwmaAlpha,
    double probationThreshold,
    double probationShare,
    int breakerFailures,
    Duration breakerBaseCooldown,
    Duration breakerMaxCooldown,
    int domainBreakerPeers,
    Duration domainBreakerWindow,
    int broadcastFanout,
    int quorumSpares,
    int quorumTieBreakers,
    double quorumDissentPenalty,
    Set<String> quorumIgnoredFields,
    long logsMaxRange,
    int logsMaxChunks,
    int logsConcurrency,
    Duration filterIdleTimeout,
    int maxFilters,
    Duration subscriptionPollInterval,
    int subscriptionMaxBlocksPerPoll,
    List<String> retryableErrorPatterns) {

  public static final long DEFAULT_SYNC_ALLOWANCE_BLOCKS = 4;
  public static final Duration DEFAULT_HEAD_MAX_AGE = Duration.ofSeconds(60);
  public static final double DEFAULT_UNKNOWN_HEAD_FACTOR = 0.5;
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final double DEFAULT_HEDGE_QUANTILE = 0.95;
  public static final Duration DEFAULT_HEDGE_MIN_DELAY = Duration.ofMillis(15);
  public static final Duration DEFAULT_HEDGE_MAX_DELAY = Duration.ofSeconds(2);
  public static final Duration DEFAULT_HEDGE_DEFAULT_DELAY = Duration.ofMillis(250);
  /** Hedges at most this share of the requests in the budget window (0.1: at most 10% extra load). */
  public static final double DEFAULT_HEDGE_BUDGET = 0.1;
  public static final Duration DEFAULT_HEDGE_BUDGET_WINDOW = Duration.ofSeconds(10);
  /** Hedges always allowed per window, so a quiet gateway still hedges a hung request. */
  public static final int DEFAULT_HEDGE_BUDGET_MINIMUM = 10;
  public static final double DEFAULT_MAX_DOMAIN_SHARE = 0.5;
  public static final double DEFAULT_RANK_SHARPNESS = 3.0;
  public static final Duration DEFAULT_LATENCY_REFERENCE = Duration.ofMillis(20);
  public static final int DEFAULT_LATENCY_WINDOW = 128;
  public static final double DEFAULT_SUCCESS_EWMA_ALPHA = 0.1;
  public static final double DEFAULT_PROBATION_THRESHOLD = 0.6;
  public static final double DEFAULT_PROBATION_SHARE = 0.03;
  public static final int DEFAULT_BREAKER_FAILURES = 3;
  public static final Duration DEFAULT_BREAKER_BASE_COOLDOWN = Duration.ofSeconds(5);
  public static final Duration DEFAULT_BREAKER_MAX_COOLDOWN = Duration.ofMinutes(5);
  public static final int DEFAULT_DOMAIN_BREAKER_PEERS = 2;
  public static final Duration DEFAULT_DOMAIN_BREAKER_WINDOW = Duration.ofSeconds(30);
  public static final int DEFAULT_BROADCAST_FANOUT = 3;
  public static final int DEFAULT_QUORUM_SPARES = 2;
  /** Further peers asked when quorum answers disagree: at most k + this many peers answer. */
  public static final int DEFAULT_QUORUM_TIE_BREAKERS = 2;
  /** Share of its success rate a peer loses per answer outvoted by a quorum (0.5: one dissent means probation). */
  public static final double DEFAULT_QUORUM_DISSENT_PENALTY = 0.5;
  public static final long DEFAULT_LOGS_MAX_RANGE = 2_000;
  public static final int DEFAULT_LOGS_MAX_CHUNKS = 50;
  public static final int DEFAULT_LOGS_CONCURRENCY = 4;
  public static final Duration DEFAULT_FILTER_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_FILTERS = 10_000;
  public static final Duration DEFAULT_SUBSCRIPTION_POLL_INTERVAL = Duration.ofMillis(250);
  public static final int DEFAULT_SUBSCRIPTION_MAX_BLOCKS_PER_POLL = 32;
  /** Lower-case fragments of -32000-style messages that mean node trouble, not a final answer. */
  public static final List<String> DEFAULT_RETRYABLE_ERROR_PATTERNS = List.of(
      "header not found", "missing trie node", "unknown block", "not synced", "syncing",
      "timeout", "timed out", "too many requests", "rate limit", "try again", "busy",
      "unavailable", "connection", "backend", "upstream", "state is not available");

  public RouterConfig {
    Objects.requireNonNull(headMaxAge, "headMaxAge");
    Objects.requireNonNull(capDimension, "capDimension");
    quorumIgnoredFields = Set.copyOf(quorumIgnoredFields);
    retryableErrorPatterns = List.copyOf(retryableErrorPatterns);
    check(syncAllowanceBlocks >= 0, "syncAllowanceBlocks must be >= 0");
    check(maxAttempts >= 1, "maxAttempts must be >= 1");
    check(hedgeQuantile > 0 && hedgeQuantile < 1, "hedgeQuantile must be in (0, 1)");
    check(hedgeMinDelay.compareTo(hedgeMaxDelay) <= 0, "hedgeMinDelay must be <= hedgeMaxDelay");
    check(hedgeBudget >= 0 && hedgeBudget <= 1, "hedgeBudget must be in [0, 1], was " + hedgeBudget);
    Objects.requireNonNull(hedgeBudgetWindow, "hedgeBudgetWindow");
    check(hedgeBudgetWindow.toMillis() >= 10, "hedgeBudgetWindow must be >= 10 ms");
    check(hedgeBudgetMinimum >= 0, "hedgeBudgetMinimum must be >= 0");
    check(maxDomainShare > 0 && maxDomainShare <= 1, "maxDomainShare must be in (0, 1]");
    check(unknownHeadFactor > 0 && unknownHeadFactor <= 1, "unknownHeadFactor must be in (0, 1]");
    check(successEwmaAlpha > 0 && successEwmaAlpha <= 1, "successEwmaAlpha must be in (0, 1]");
    check(probationShare >= 0 && probationShare < 1, "probationShare must be in [0, 1)");
    check(latencyWindow >= 8, "latencyWindow must be >= 8");
    check(breakerFailures >= 1 && domainBreakerPeers >= 1, "breaker thresholds must be >= 1");
    check(broadcastFanout >= 1 && quorumSpares >= 0, "broadcastFanout >= 1, quorumSpares >= 0");
    check(quorumTieBreakers >= 0, "quorumTieBreakers must be >= 0");
    check(quorumDissentPenalty >= 0 && quorumDissentPenalty <= 1, "quorumDissentPenalty must be in [0, 1]");
    check(logsMaxRange >= 1 && logsMaxChunks >= 2 && logsConcurrency >= 1, "logsMaxRange >= 1, logsMaxChunks >= 2, logsConcurrency >= 1");
    check(maxFilters >= 1, "maxFilters must be >= 1");
    check(!subscriptionPollInterval.isNegative() && !subscriptionPollInterval.isZero(), "subscriptionPollInterval must be > 0");
    check(subscriptionMaxBlocksPerPoll >= 1, "subscriptionMaxBlocksPerPoll must be >= 1");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("router config: " + message);
    }
  }

  public static RouterConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.syncAllowanceBlocks = syncAllowanceBlocks;
    b.headMaxAge = headMaxAge;
    b.unknownHeadFactor = unknownHeadFactor;
    b.maxAttempts = maxAttempts;
    b.hedging = hedging;
    b.hedgeQuantile = hedgeQuantile;
    b.hedgeMinDelay = hedgeMinDelay;
    b.hedgeMaxDelay = hedgeMaxDelay;
    b.hedgeDefaultDelay = hedgeDefaultDelay;
    b.hedgeBudget = hedgeBudget;
    b.hedgeBudgetWindow = hedgeBudgetWindow;
    b.hedgeBudgetMinimum = hedgeBudgetMinimum;
    b.capDimension = capDimension;
    b.maxDomainShare = maxDomainShare;
    b.rankSharpness = rankSharpness;
    b.latencyReference = latencyReference;
    b.latencyWindow = latencyWindow;
    b.successEwmaAlpha = successEwmaAlpha;
    b.probationThreshold = probationThreshold;
    b.probationShare = probationShare;
    b.breakerFailures = breakerFailures;
    b.breakerBaseCooldown = breakerBaseCooldown;
    b.breakerMaxCooldown = breakerMaxCooldown;
    b.domainBreakerPeers = domainBreakerPeers;
    b.domainBreakerWindow = domainBreakerWindow;
    b.broadcastFanout = broadcastFanout;
    b.quorumSpares = quorumSpares;
    b.quorumTieBreakers = quorumTieBreakers;
    b.quorumDissentPenalty = quorumDissentPenalty;
    b.quorumIgnoredFields = quorumIgnoredFields;
    b.logsMaxRange = logsMaxRange;
    b.logsMaxChunks = logsMaxChunks;
    b.logsConcurrency = logsConcurrency;
    b.filterIdleTimeout = filterIdleTimeout;
    b.maxFilters = maxFilters;
    b.subscriptionPollInterval = subscriptionPollInterval;
    b.subscriptionMaxBlocksPerPoll = subscriptionMaxBlocksPerPoll;
    b.retryableErrorPatterns = retryableErrorPatterns;
    return b;
  }

  /** Builder starting from the defaults. */
  public static final class Builder {
    private long syncAllowanceBlocks = DEFAULT_SYNC_ALLOWANCE_BLOCKS;
    private Duration headMaxAge = DEFAULT_HEAD_MAX_AGE;
    private double unknownHeadFactor = DEFAULT_UNKNOWN_HEAD_FACTOR;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private boolean hedging = true;
    private double hedgeQuantile = DEFAULT_HEDGE_QUANTILE;
    private Duration hedgeMinDelay = DEFAULT_HEDGE_MIN_DELAY;
    private Duration hedgeMaxDelay = DEFAULT_HEDGE_MAX_DELAY;
    private Duration hedgeDefaultDelay = DEFAULT_HEDGE_DEFAULT_DELAY;
    private double hedgeBudget = DEFAULT_HEDGE_BUDGET;
    private Duration hedgeBudgetWindow = DEFAULT_HEDGE_BUDGET_WINDOW;
    private int hedgeBudgetMinimum = DEFAULT_HEDGE_BUDGET_MINIMUM;
    private FailureDomain.Dimension capDimension = FailureDomain.Dimension.PROVIDER;
    private double maxDomainShare = DEFAULT_MAX_DOMAIN_SHARE;
    private double rankSharpness = DEFAULT_RANK_SHARPNESS;
    private Duration latencyReference = DEFAULT_LATENCY_REFERENCE;
    private int latencyWindow = DEFAULT_LATENCY_WINDOW;
    private double successEwmaAlpha = DEFAULT_SUCCESS_EWMA_ALPHA;
    private double probationThreshold = DEFAULT_PROBATION_THRESHOLD;
    private double probationShare = DEFAULT_PROBATION_SHARE;
    private int breakerFailures = DEFAULT_BREAKER_FAILURES;
    private Duration breakerBaseCooldown = DEFAULT_BREAKER_BASE_COOLDOWN;
    private Duration breakerMaxCooldown = DEFAULT_BREAKER_MAX_COOLDOWN;
    private int domainBreakerPeers = DEFAULT_DOMAIN_BREAKER_PEERS;
    private Duration domainBreakerWindow = DEFAULT_DOMAIN_BREAKER_WINDOW;
    private int broadcastFanout = DEFAULT_BROADCAST_FANOUT;
    private int quorumSpares = DEFAULT_QUORUM_SPARES;
    private int quorumTieBreakers = DEFAULT_QUORUM_TIE_BREAKERS;
    private double quorumDissentPenalty = DEFAULT_QUORUM_DISSENT_PENALTY;
    private Set<String> quorumIgnoredFields = Set.of();
    private long logsMaxRange = DEFAULT_LOGS_MAX_RANGE;
    private int logsMaxChunks = DEFAULT_LOGS_MAX_CHUNKS;
    private int logsConcurrency = DEFAULT_LOGS_CONCURRENCY;
    private Duration filterIdleTimeout = DEFAULT_FILTER_IDLE_TIMEOUT;
    private int maxFilters = DEFAULT_MAX_FILTERS;
    private Duration subscriptionPollInterval = DEFAULT_SUBSCRIPTION_POLL_INTERVAL;
    private int subscriptionMaxBlocksPerPoll = DEFAULT_SUBSCRIPTION_MAX_BLOCKS_PER_POLL;
    private List<String> retryableErrorPatterns = DEFAULT_RETRYABLE_ERROR_PATTERNS;

    public Builder syncAllowanceBlocks(long v) { syncAllowanceBlocks = v; return this; }
    public Builder headMaxAge(Duration v) { headMaxAge = v; return this; }
    public Builder unknownHeadFactor(double v) { unknownHeadFactor = v; return this; }
    public Builder maxAttempts(int v) { maxAttempts = v; return this; }
    public Builder hedging(boolean v) { hedging = v; return this; }
    public Builder hedgeQuantile(double v) { hedgeQuantile = v; return this; }
    public Builder hedgeMinDelay(Duration v) { hedgeMinDelay = v; return this; }
    public Builder hedgeMaxDelay(Duration v) { hedgeMaxDelay = v; return this; }
    public Builder hedgeDefaultDelay(Duration v) { hedgeDefaultDelay = v; return this; }
    public Builder hedgeBudget(double v) { hedgeBudget = v; return this; }
    public Builder hedgeBudgetWindow(Duration v) { hedgeBudgetWindow = v; return this; }
    public Builder hedgeBudgetMinimum(int v) { hedgeBudgetMinimum = v; return this; }
    public Builder capDimension(FailureDomain.Dimension v) { capDimension = v; return this; }
    public Builder maxDomainShare(double v) { maxDomainShare = v; return this; }
    public Builder rankSharpness(double v) { rankSharpness = v; return this; }
    public Builder latencyReference(Duration v) { latencyReference = v; return this; }
    public Builder latencyWindow(int v) { latencyWindow = v; return this; }
    public Builder successEwmaAlpha(double v) { successEwmaAlpha = v; return this; }
    public Builder probationThreshold(double v) { probationThreshold = v; return this; }
    public Builder probationShare(double v) { probationShare = v; return this; }
    public Builder breakerFailures(int v) { breakerFailures = v; return this; }
    public Builder breakerBaseCooldown(Duration v) { breakerBaseCooldown = v; return this; }
    public Builder breakerMaxCooldown(Duration v) { breakerMaxCooldown = v; return this; }
    public Builder domainBreakerPeers(int v) { domainBreakerPeers = v; return this; }
    public Builder domainBreakerWindow(Duration v) { domainBreakerWindow = v; return this; }
    public Builder broadcastFanout(int v) { broadcastFanout = v; return this; }
    public Builder quorumSpares(int v) { quorumSpares = v; return this; }
    public Builder quorumTieBreakers(int v) { quorumTieBreakers = v; return this; }
    public Builder quorumDissentPenalty(double v) { quorumDissentPenalty = v; return this; }
    public Builder quorumIgnoredFields(Set<String> v) { quorumIgnoredFields = v; return this; }
    public Builder logsMaxRange(long v) { logsMaxRange = v; return this; }
    public Builder logsMaxChunks(int v) { logsMaxChunks = v; return this; }
    public Builder logsConcurrency(int v) { logsConcurrency = v; return this; }
    public Builder filterIdleTimeout(Duration v) { filterIdleTimeout = v; return this; }
    public Builder maxFilters(int v) { maxFilters = v; return this; }
    public Builder subscriptionPollInterval(Duration v) { subscriptionPollInterval = v; return this; }
    public Builder subscriptionMaxBlocksPerPoll(int v) { subscriptionMaxBlocksPerPoll = v; return this; }
    public Builder retryableErrorPatterns(List<String> v) { retryableErrorPatterns = v; return this; }

    public RouterConfig build() {
      return new RouterConfig(syncAllowanceBlocks, headMaxAge, unknownHeadFactor, maxAttempts, hedging,
          hedgeQuantile, hedgeMinDelay, hedgeMaxDelay, hedgeDefaultDelay, hedgeBudget, hedgeBudgetWindow,
          hedgeBudgetMinimum, capDimension, maxDomainShare,
          rankSharpness, latencyReference, latencyWindow, successEwmaAlpha, probationThreshold,
          probationShare, breakerFailures, breakerBaseCooldown, breakerMaxCooldown, domainBreakerPeers,
          domainBreakerWindow, broadcastFanout, quorumSpares, quorumTieBreakers, quorumDissentPenalty, quorumIgnoredFields, logsMaxRange,
          logsMaxChunks, logsConcurrency, filterIdleTimeout, maxFilters, subscriptionPollInterval,
          subscriptionMaxBlocksPerPoll, retryableErrorPatterns);
    }
  }
}
