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
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each JSON-RPC request to peers chosen for diversity (docs/selection.md): fresh,
 * untripped candidates ranked by reputation, traffic per failure-domain group capped by water
 * filling, hedges and failovers only into domains not yet used, quorum methods to k disjoint
 * peers with dissent kept as evidence, filters and sessions sticky, raw transactions broadcast,
 * large eth_getLogs ranges split and merged.
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
   * @param scheduler runs hedges and deadlines (e.g. {@code Scheduler.of(eventLoopGroup)})
   * @param random seeded in tests; drives weighted choice and filter ids
   * @param blockingExecutor where evidence is written
   */
  public DiversityRouter(PeerDirectory directory, RelayTransport transport, GatewayPayment payment, EvidenceLog evidence,
      RouterConfig config, Clock clock, Scheduler scheduler, Random random, Executor blockingExecutor) {
    this(directory, transport, payment, evidence, config, clock, scheduler, random, blockingExecutor, Optional.empty());
  }

  /**
   * As above, plus the gateway's WebSocket sessions, through which eth_subscribe ("newHeads",
   * "logs") notifications are pushed; without it eth_subscribe is refused.
   */
  public DiversityRouter(PeerDirectory directory, RelayTransport transport, GatewayPayment payment, EvidenceLog evidence,
      RouterConfig config, Clock clock, Scheduler scheduler, Random random, Executor blockingExecutor,
      Optional<SubscriptionSink> subscriptionSink) {
    Objects.requireNonNull(directory, "directory");
    this.reputation = new PeerReputation(config.successEwmaAlpha(), config.latencyWindow());
    this.breakers = new CircuitBreakers(clock, config);
    ObjectMapper json = new ObjectMapper();
    CandidateSelector selector = new CandidateSelector(directory, reputation, breakers, config, clock, random);
    PeerCaller caller = new PeerCaller(transport, payment, directory, reputation, breakers,
        new ErrorClassifier(config.retryableErrorPatterns()), json, clock);
    this.ctx = new RouterContext(config, selector, caller, reputation, new ResultCanonicalizer(config.quorumIgnoredFields()),
        evidence, json, clock, scheduler, blockingExecutor);
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

  @Override
  public CompletableFuture<ObjectNode> route(RouteRequest r) {
    try {
      return dispatch(r).exceptionallyCompose(e -> {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RouteException) {
          return CompletableFuture.failedFuture(cause);
        }
        log.error("router bug on {}", r.method(), cause);
        return CompletableFuture.failedFuture(new RouteException(RouteErrors.INTERNAL, "internal error", cause));
      });
    } catch (JsonProcessingException | RuntimeException e) {
      log.error("router bug on {}", r.method(), e);
      return CompletableFuture.failedFuture(new RouteException(RouteErrors.INTERNAL, "internal error", e));
    }
  }

  private CompletableFuture<ObjectNode> dispatch(RouteRequest r) throws JsonProcessingException {
    MethodRule rule = r.rule();
    int cu = rule.computeUnits();
    if (r.method().equals("eth_subscribe") || r.method().equals("eth_unsubscribe")) {
      if (subscriptions.isEmpty()) {
        return CompletableFuture.failedFuture(new RouteException(-32601, "subscriptions are not available on this gateway"));
      }
      return r.method().equals("eth_subscribe") ? subscriptions.get().subscribe(r) : subscriptions.get().unsubscribe(r);
    }
    if (StickyFilters.handles(r.method())) {
      return filters.route(r);
    }
    Optional<long[]> range = logs.splitRange(r);
    if (range.isPresent()) {
      return logs.route(r, range.get()[0], range.get()[1]);
    }
    byte[] payload = ctx.json().writeValueAsBytes(r.request());
    if (rule.routing() == MethodRule.Routing.BROADCAST) {
      return BroadcastCall.run(ctx, r.chain(), payload, r.deadline(), cu);
    }
    if (rule.quorum() > 1) {
      return QuorumCall.run(ctx, r.chain(), r.method(), payload, r.deadline(), cu, rule.quorum());
    }
    if (rule.routing() == MethodRule.Routing.STICKY && r.session().isPresent()) {
      String session = r.session().get();
      Optional<String> bound;
      synchronized (sessionPeers) {
        bound = Optional.ofNullable(sessionPeers.get(session));
      }
      return FailoverCall.run(ctx, r.chain(), payload, r.deadline(), cu, false, bound, Set.of()).thenApply(a -> {
        synchronized (sessionPeers) {
          sessionPeers.put(session, a.candidate().peerId());
        }
        return a.responseOrThrow();
      });
    }
    return FailoverCall.run(ctx, r.chain(), payload, r.deadline(), cu, true, Optional.empty(), Set.of())
        .thenApply(Attempt::responseOrThrow);
  }

  /**
   * Peers the router could use now for a chain: fresh and not tripped (for the gateway's health
   * endpoint: {@code router::routablePeers} is a {@code RoutablePeerCount}).
   */
  public int routablePeers(String chain) {
    return (int) ctx.selector().candidates(chain).stream().filter(c -> !c.tripped()).count();
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
}
