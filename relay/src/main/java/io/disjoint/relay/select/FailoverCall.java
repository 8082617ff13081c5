package io.disjoint.relay.select;

import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.route.RouteException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One request routed to the primary, hedged after a delay taken from the primary's latency
 * distribution, and failed over on a retryable failure; every hedge and retry goes to a failure
 * domain not used yet. The first result or deterministic error answers.
 */
final class FailoverCall {
  private final RouterContext ctx;
  private final String chain;
  private final byte[] payload;
  private final Instant deadline;
  private final int computeUnits;
  private final boolean hedge;
  private final boolean passThrough;
  private final CompletableFuture<Attempt> result = new CompletableFuture<>();
  private final Set<String> usedPeers = new HashSet<>();
  private final List<FailureDomain> usedDomains = new ArrayList<>();
  private List<Candidate> candidates = List.of();
  private int attempts;
  private int inFlight;
  private String lastFailure = "none";
  /** The hedge timer while {@code hedgePending}, else the deadline timer. */
  private Scheduler.Cancellable timer;
  private boolean hedgePending;

  private FailoverCall(RouterContext ctx, String chain, byte[] payload, Instant deadline, int computeUnits, boolean hedge,
      boolean passThrough) {
    this.passThrough = passThrough;
    this.ctx = ctx;
    this.chain = chain;
    this.payload = payload;
    this.deadline = deadline;
    this.computeUnits = computeUnits;
    this.hedge = hedge && ctx.config().hedging();
  }

  /**
   * Completes with the answering attempt (RESULT or DETERMINISTIC_ERROR) or fails with
   * RouteException.
   *
   * @param preferred peer to use as the primary if it is a candidate (sticky sessions)
   * @param excluded peers not to use at all
   */
  static CompletableFuture<Attempt> run(RouterContext ctx, String chain, byte[] payload, Instant deadline,
      int computeUnits, boolean hedge, Optional<String> preferred, Set<String> excluded) {
    return run(ctx, chain, payload, deadline, computeUnits, hedge, preferred, excluded, false);
  }

  /**
   * As above; with {@code passThrough} a plain result stays the peer's bytes (see
   * {@link PeerCaller#call(Candidate, String, byte[], Instant, int, boolean, boolean)}), for
   * answers that go to the client unchanged.
   */
  static CompletableFuture<Attempt> run(RouterContext ctx, String chain, byte[] payload, Instant deadline,
      int computeUnits, boolean hedge, Optional<String> preferred, Set<String> excluded, boolean passThrough) {
    FailoverCall call = new FailoverCall(ctx, chain, payload, deadline, computeUnits, hedge, passThrough);
    call.start(preferred, excluded);
    return call.result;
  }

  private synchronized void start(Optional<String> preferred, Set<String> excluded) {
    candidates = ctx.selector().candidates(chain);
    if (!excluded.isEmpty()) {
      candidates = candidates.stream().filter(c -> !excluded.contains(c.peerId())).toList();
    }
    Optional<Candidate> primary = preferred.flatMap(p -> candidates.stream().filter(c -> c.peerId().equals(p)).findFirst())
        .or(() -> ctx.selector().pickPrimary(candidates));
    if (primary.isEmpty()) {
      result.completeExceptionally(ctx.selector().noCandidate(chain));
      return;
    }
    Duration untilDeadline = Duration.between(ctx.clock().instant(), deadline);
    if (untilDeadline.isNegative() || untilDeadline.isZero()) {
      result.completeExceptionally(RouteErrors.timeout());
      return;
    }
    if (hedge) {
      ctx.hedgeBudget().requestRouted();
    }
    launch(primary.get());
    if (result.isDone()) {
      return;
    }
    // One timer at a time: the hedge's if one is due before the deadline, then the deadline's.
    if (hedge && ctx.config().maxAttempts() > 1) {
      Duration hedgeDelay = hedgeDelay(primary.get().peerId());
      if (hedgeDelay.compareTo(untilDeadline) < 0) {
        hedgePending = true;
        timer = ctx.scheduler().schedule(hedgeDelay, this::onTimer);
        return;
      }
    }
    timer = ctx.scheduler().schedule(untilDeadline, this::onTimer);
  }

  private Duration hedgeDelay(String peer) {
    RouterConfig cfg = ctx.config();
    Duration d = ctx.reputation().latencyQuantile(peer, cfg.hedgeQuantile()).orElse(cfg.hedgeDefaultDelay());
    if (d.compareTo(cfg.hedgeMinDelay()) < 0) {
      return cfg.hedgeMinDelay();
    }
    return d.compareTo(cfg.hedgeMaxDelay()) > 0 ? cfg.hedgeMaxDelay() : d;
  }

  private void launch(Candidate c) {
    attempts++;
    inFlight++;
    usedPeers.add(c.peerId());
    usedDomains.add(c.domain());
    ctx.caller().call(c, chain, payload, deadline, computeUnits, false, passThrough).whenComplete((a, e) -> onAttempt(a, e));
  }

  private synchronized void onAttempt(Attempt a, Throwable error) {
    inFlight--;
    if (result.isDone()) {
      return;
    }
    if (error != null) {
      finish(null, new RouteException(RouteErrors.INTERNAL, "router bug: " + error, error));
      return;
    }
    if (a.outcome() != Outcome.RETRYABLE) {
      finish(a, null);
      return;
    }
    lastFailure = a.failure();
    if (attempts < ctx.config().maxAttempts()) {
      Optional<Candidate> next = ctx.selector().pickDisjoint(candidates, usedPeers, usedDomains);
      if (next.isPresent()) {
        ctx.metrics().failover();
        launch(next.get());
        return;
      }
    }
    if (inFlight == 0) {
      finish(null, RouteErrors.exhausted(attempts, lastFailure));
    }
  }

  private synchronized void onTimer() {
    timer = null;
    if (result.isDone()) {
      return;
    }
    if (hedgePending) {
      hedgePending = false;
      Duration remaining = Duration.between(ctx.clock().instant(), deadline);
      if (remaining.compareTo(Duration.ZERO) > 0) {
        timer = ctx.scheduler().schedule(remaining, this::onTimer);
        hedge();
        return;
      }
    }
    finish(null, RouteErrors.timeout());
  }

  private void hedge() {
    if (inFlight == 0 || attempts >= ctx.config().maxAttempts()) {
      return;
    }
    Optional<Candidate> backup = ctx.selector().pickDisjoint(candidates, usedPeers, usedDomains);
    if (backup.isEmpty()) {
      return;
    }
    // A slow period makes every request due for a hedge; the budget keeps the extra load bounded.
    if (!ctx.hedgeBudget().tryHedge()) {
      ctx.metrics().hedgeSuppressed();
      return;
    }
    ctx.metrics().hedge();
    launch(backup.get());
  }

  private void finish(Attempt a, RouteException e) {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    if (e != null) {
      result.completeExceptionally(e);
    } else {
      result.complete(a);
    }
  }
}
