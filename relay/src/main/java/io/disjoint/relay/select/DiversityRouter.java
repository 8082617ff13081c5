package io.disjoint.relay.select;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.directory.PeerDirectory;
import io.disjoint.relay.gateway.SubscriptionSink;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.protocol.RelayTransport;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RequestRouter;
import io.disjoint.relay.route.RouteException;
import io.disjoint.relay.route.RouteRequest;
import io.disjoint.relay.select.RouterMetrics.Strategy;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each JSON-RPC request to peers chosen for diversity (docs/selection.md): fresh,
 * untripped candidates ranked by reputation, traffic per failure-domain group capped by water
 * filling, hedges and failovers only into domains not yet used, quorum methods to k disjoint
 * peers with dissent kept as evidence, filters and sessions sticky, raw transactions broadcast,
 * large eth_getLogs ranges split and merged, eth_subscribe served by polling.
 */
public final class DiversityRouter implements RequestRouter {
  private static final Logger log = LoggerFactory.getLogger(DiversityRouter.class);

  private final RouterContext ctx;
  private final PeerReputation reputation;
  private final CircuitBreakers breakers;
  private final StickyFilters filters;
  private final LogRangeSplitter logs;
  private final Map<String, String> sessionPeers;
  private final Optional<PolledSubscriptions> subscriptions;

  /**
   * @param directory peers per chain with failure domains and heads
   * @param transport sends relay requests (a {@code PooledRelayTransport} over libp2p in the node)
   * @param payment signs receipts ({@link GatewayPayment#NONE} to relay unpaid)
   * @param evidence where quorum dissent is kept
   * @param scheduler runs hedges and deadlines ({@link Scheduler#onCallingEventLoop} in production)
   * @param random seeded in tests; drives weighted choice and filter/subscription ids
   * @param blockingExecutor where evidence is written
   */
  public DiversityRouter(PeerDirectory directory, RelayTransport transport, GatewayPayment payment, EvidenceLog evidence,
      RouterConfig config, Clock clock, Scheduler scheduler, Random random, Executor blockingExecutor) {
    this(directory, transport, payment, evidence, config, clock, scheduler, random, blockingExecutor, Optional.empty(),
        RouterMetrics.unregistered());
  }

  /**
   * As above, plus the gateway's WebSocket sessions, through which eth_subscribe ("newHeads",
   * "logs") notifications are pushed (without it eth_subscribe is refused), and the meters.
   */
  public DiversityRouter(PeerDirectory directory, RelayTransport transport, GatewayPayment payment, EvidenceLog evidence,
      RouterConfig config, Clock clock, Scheduler scheduler, Random random, Executor blockingExecutor,
      Optional<SubscriptionSink> subscriptionSink, RouterMetrics metrics) {
    Objects.requireNonNull(directory, "directory");
    this.reputation = new PeerReputation(config.successEwmaAlpha(), config.latencyWindow());
    this.breakers = new CircuitBreakers(clock, config,
        wholeDomain -> {
          if (wholeDomain) {
            metrics.domainTripped();
          } else {
            metrics.peerTripped();
          }
        });
    ObjectMapper json = new ObjectMapper();
    CandidateSelector selector = new CandidateSelector(directory, reputation, breakers, config, clock, random);
    PeerCaller caller = new PeerCaller(transport, payment, directory, reputation, breakers,
        new ErrorClassifier(config.retryableErrorPatterns()), json, clock, metrics);
    this.ctx = new RouterContext(config, selector, caller, reputation, new ResultCanonicalizer(config.quorumIgnoredFields()),
        evidence, json, clock, scheduler, blockingExecutor, metrics, HedgeBudget.of(config, clock));
    this.filters = new StickyFilters(ctx, random);
    this.logs = new LogRangeSplitter(ctx);
    this.subscriptions = subscriptionSink.map(sink -> new PolledSubscriptions(ctx, sink, random));
    int maxSessions = config.maxFilters();
    this.sessionPeers = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > maxSessions;
      }
    };
  }

  /** A builder with production defaults for everything but the directory and the transport. */
  public static Builder builder(PeerDirectory directory, RelayTransport transport) {
    return new Builder(directory, transport);
  }

  @Override
  public CompletableFuture<ObjectNode> route(RouteRequest r) {
    Instant start = ctx.clock().instant();
    Strategy strategy = strategyOf(r);
    CompletableFuture<ObjectNode> routed;
    try {
      routed = dispatch(r, strategy).exceptionallyCompose(e -> {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RouteException) {
          return CompletableFuture.failedFuture(cause);
        }
        log.error("router bug on {}", r.method(), cause);
        return CompletableFuture.failedFuture(new RouteException(RouteErrors.INTERNAL, "internal error", cause));
      });
    } catch (JsonProcessingException | RuntimeException e) {
      log.error("router bug on {}", r.method(), e);
      routed = CompletableFuture.failedFuture(new RouteException(RouteErrors.INTERNAL, "internal error", e));
    }
    routed.whenComplete((v, e) -> ctx.metrics().request(strategy, e == null, Duration.between(start, ctx.clock().instant())));
    return routed;
  }

  private Strategy strategyOf(RouteRequest r) {
    MethodRule rule = r.rule();
    if (r.method().equals("eth_subscribe") || r.method().equals("eth_unsubscribe")) {
      return Strategy.SUBSCRIPTION;
    }
    if (StickyFilters.handles(r.method())) {
      return Strategy.STICKY_FILTER;
    }
    if (logs.splitRange(r).isPresent()) {
      return Strategy.LOGS_SPLIT;
    }
    if (rule.routing() == MethodRule.Routing.BROADCAST) {
      return Strategy.BROADCAST;
    }
    if (rule.quorum() > 1) {
      return Strategy.QUORUM;
    }
    if (rule.routing() == MethodRule.Routing.STICKY && r.session().isPresent()) {
      return Strategy.STICKY_SESSION;
    }
    return Strategy.ANY;
  }

  private CompletableFuture<ObjectNode> dispatch(RouteRequest r, Strategy strategy) throws JsonProcessingException {
    int cu = r.rule().computeUnits();
    switch (strategy) {
      case SUBSCRIPTION -> {
        if (subscriptions.isEmpty()) {
          return CompletableFuture.failedFuture(new RouteException(-32601, "subscriptions are not available on this gateway"));
        }
        return r.method().equals("eth_subscribe") ? subscriptions.get().subscribe(r) : subscriptions.get().unsubscribe(r);
      }
      case STICKY_FILTER -> {
        return filters.route(r);
      }
      case LOGS_SPLIT -> {
        long[] range = logs.splitRange(r).orElseThrow();
        return logs.route(r, range[0], range[1]);
      }
      default -> {
        // the strategies below send the request as it is
      }
    }
    if (strategy == Strategy.QUORUM) {
      // Serialised by the quorum call, after pinning a read on "latest" to one block.
      return QuorumCall.run(ctx, r.chain(), r.method(), r.request(), r.rule().blockParam(), r.deadline(), cu,
          r.rule().quorum());
    }
    byte[] payload = ctx.json().writeValueAsBytes(r.request());
    return switch (strategy) {
      case BROADCAST -> BroadcastCall.run(ctx, r.chain(), payload, r.deadline(), cu);
      case STICKY_SESSION -> sticky(r, payload, cu);
      // Plain routes can answer with the peer's result as it is: no tree, no re-encoding.
      default -> FailoverCall.run(ctx, r.chain(), payload, r.deadline(), cu, true, Optional.empty(), Set.of(), r.passThrough())
          .thenApply(Attempt::responseOrThrow);
    };
  }

  private CompletableFuture<ObjectNode> sticky(RouteRequest r, byte[] payload, int cu) {
    String session = r.session().orElseThrow();
    Optional<String> bound;
    synchronized (sessionPeers) {
      bound = Optional.ofNullable(sessionPeers.get(session));
    }
    return FailoverCall.run(ctx, r.chain(), payload, r.deadline(), cu, false, bound, Set.of(), r.passThrough()).thenApply(a -> {
      synchronized (sessionPeers) {
        sessionPeers.put(session, a.candidate().peerId());
      }
      return a.responseOrThrow();
    });
  }

  /**
   * Peers the router could use now for a chain: fresh and not tripped (for the gateway's health
   * endpoint: {@code router::routablePeers} is a {@code RoutablePeerCount}).
   */
  public int routablePeers(String chain) {
    return (int) ctx.selector().candidates(chain).stream().filter(c -> !c.tripped()).count();
  }

  /**
   * The peers of {@link #routablePeers} counted per failure domain (the claim's text), for the
   * health endpoint: declared facts only, no peer ids.
   */
  public Map<String, Integer> routablePeersByDomain(String chain) {
    Map<String, Integer> out = new java.util.TreeMap<>();
    for (Candidate c : ctx.selector().candidates(chain)) {
      if (!c.tripped()) {
        out.merge(c.domain().toString(), 1, Integer::sum);
      }
    }
    return out;
  }

  /** Active eth_subscribe subscriptions. */
  public int activeSubscriptions() {
    return subscriptions.map(PolledSubscriptions::active).orElse(0);
  }

  /** The peer a sticky session is bound to, if any. */
  public Optional<String> sessionPeer(String session) {
    synchronized (sessionPeers) {
      return Optional.ofNullable(sessionPeers.get(session));
    }
  }

  /** Forgets a closed client session. */
  public void sessionClosed(String session) {
    synchronized (sessionPeers) {
      sessionPeers.remove(session);
    }
  }

  /** Reputation as learned so far (read-only use: status pages, tests). */
  public PeerReputation reputation() {
    return reputation;
  }

  public CircuitBreakers breakers() {
    return breakers;
  }

  public CandidateSelector selector() {
    return ctx.selector();
  }

  /** Active filter bindings (bounded by {@code maxFilters}). */
  public int activeFilters() {
    return filters.size();
  }

  /**
   * Builds a router with production defaults: no receipts, in-memory evidence, default config,
   * system clock, timers on the calling event loop (else a 1 ms hashed wheel), a SecureRandom, virtual threads for blocking
   * work, no subscriptions, unregistered meters.
   */
  public static final class Builder {
    private final PeerDirectory directory;
    private final RelayTransport transport;
    private GatewayPayment payment = GatewayPayment.NONE;
    private EvidenceLog evidence = new InMemoryEvidenceLog();
    private RouterConfig config = RouterConfig.defaults();
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private Random random;
    private Executor blockingExecutor;
    private Optional<SubscriptionSink> subscriptionSink = Optional.empty();
    private RouterMetrics metrics;

    private Builder(PeerDirectory directory, RelayTransport transport) {
      this.directory = Objects.requireNonNull(directory, "directory");
      this.transport = Objects.requireNonNull(transport, "transport");
    }

    public Builder payment(GatewayPayment v) { payment = v; return this; }
    public Builder evidence(EvidenceLog v) { evidence = v; return this; }
    public Builder config(RouterConfig v) { config = v; return this; }
    public Builder clock(Clock v) { clock = v; return this; }
    public Builder scheduler(Scheduler v) { scheduler = v; return this; }
    public Builder random(Random v) { random = v; return this; }
    public Builder blockingExecutor(Executor v) { blockingExecutor = v; return this; }
    public Builder subscriptionSink(SubscriptionSink v) { subscriptionSink = Optional.of(v); return this; }
    public Builder meterRegistry(MeterRegistry v) { metrics = new RouterMetrics(v); return this; }

    public DiversityRouter build() {
      return new DiversityRouter(directory, transport, payment, evidence, config, clock,
          scheduler != null ? scheduler : Scheduler.onCallingEventLoop(
              Scheduler.wheel(new HashedWheelTimer(new DefaultThreadFactory("router-timer", true), 1, TimeUnit.MILLISECONDS))),
          random != null ? random : new SecureRandom(),
          blockingExecutor != null ? blockingExecutor : Executors.newVirtualThreadPerTaskExecutor(),
          subscriptionSink, metrics != null ? metrics : RouterMetrics.unregistered());
    }
  }
}
