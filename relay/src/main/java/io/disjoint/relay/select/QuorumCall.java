package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.route.RouteException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A quorum read: the request goes to k peers in pairwise different failure domains; answers are
 * compared in canonical form and the first form held by a majority (k/2 + 1) answers the client.
 * A participant that fails retryably is replaced by a spare from yet another domain. Once every
 * participant has answered, each answer that differs from the majority is kept as evidence
 * together with the dissenter's signed attestation.
 */
final class QuorumCall {
  private static final Logger log = LoggerFactory.getLogger(QuorumCall.class);

  private final RouterContext ctx;
  private final String chain;
  private final String method;
  private final byte[] payload;
  private final Instant deadline;
  private final int computeUnits;
  private final int k;
  private final int majority;
  private final CompletableFuture<ObjectNode> result = new CompletableFuture<>();
  private final Map<String, List<Attempt>> byCanonical = new LinkedHashMap<>();
  private final Set<String> usedPeers = new HashSet<>();
  private final List<FailureDomain> usedDomains = new ArrayList<>();
  private List<Candidate> candidates = List.of();
  private int inFlight;
  private int sparesUsed;
  private String winner;
  private String lastFailure = "none";
  private Scheduler.Cancellable deadlineTimer;

  private QuorumCall(RouterContext ctx, String chain, String method, byte[] payload, Instant deadline, int computeUnits, int k) {
    this.ctx = ctx;
    this.chain = chain;
    this.method = method;
    this.payload = payload;
    this.deadline = deadline;
    this.computeUnits = computeUnits;
    this.k = k;
    this.majority = k / 2 + 1;
  }

  static CompletableFuture<ObjectNode> run(RouterContext ctx, String chain, String method, byte[] payload,
      Instant deadline, int computeUnits, int k) {
    QuorumCall call = new QuorumCall(ctx, chain, method, payload, deadline, computeUnits, k);
    call.start();
    return call.result;
  }

  private synchronized void start() {
    candidates = ctx.selector().candidates(chain);
    List<Candidate> chosen = ctx.selector().pickDisjointSet(candidates, k, Set.of(), List.of());
    if (chosen.size() < k) {
      result.completeExceptionally(new RouteException(RouteErrors.UNAVAILABLE,
          "quorum of " + k + " for " + method + " needs " + k + " peers in different failure domains; "
              + chosen.size() + " available"));
      return;
    }
    Duration untilDeadline = Duration.between(ctx.clock().instant(), deadline);
    if (untilDeadline.isNegative() || untilDeadline.isZero()) {
      result.completeExceptionally(RouteErrors.timeout());
      return;
    }
    deadlineTimer = ctx.scheduler().schedule(untilDeadline, this::onDeadline);
    // Reserve every participant before sending: an answer that completes synchronously must not
    // see an empty quorum and give up.
    chosen.forEach(this::reserve);
    chosen.forEach(this::send);
  }

  private void reserve(Candidate c) {
    inFlight++;
    usedPeers.add(c.peerId());
    usedDomains.add(c.domain());
  }

  private void send(Candidate c) {
    ctx.caller().call(c, chain, payload, deadline, computeUnits).whenComplete(this::onAttempt);
  }

  private synchronized void onAttempt(Attempt a, Throwable error) {
    inFlight--;
    if (error != null) {
      fail(new RouteException(RouteErrors.INTERNAL, "router bug: " + error, error));
    } else if (a.outcome() == Outcome.RETRYABLE) {
      lastFailure = a.failure();
      if (sparesUsed < ctx.config().quorumSpares() && !result.isDone()) {
        var spare = ctx.selector().pickDisjoint(candidates, usedPeers, usedDomains);
        if (spare.isPresent()) {
          sparesUsed++;
          reserve(spare.get());
          send(spare.get());
        }
      }
    } else {
      String canonical = ctx.canonicalizer().canonical(a.responseOrThrow());
      List<Attempt> group = byCanonical.computeIfAbsent(canonical, x -> new ArrayList<>());
      group.add(a);
      if (winner == null && group.size() >= majority) {
        winner = canonical;
        if (deadlineTimer != null) {
          deadlineTimer.cancel();
        }
        result.complete(group.get(0).responseOrThrow());
      }
    }
    if (inFlight == 0) {
      if (winner == null) {
        int answers = byCanonical.values().stream().mapToInt(List::size).sum();
        fail(new RouteException(RouteErrors.UNAVAILABLE, "no quorum for " + method + ": " + answers
            + " answers in " + byCanonical.size() + " different forms, majority " + majority + " needed (last failure: "
            + lastFailure + ")"));
      }
      recordDissent();
    }
  }

  private void fail(RouteException e) {
    if (deadlineTimer != null) {
      deadlineTimer.cancel();
    }
    result.completeExceptionally(e);
  }

  private synchronized void onDeadline() {
    result.completeExceptionally(RouteErrors.timeout());
  }

  private void recordDissent() {
    if (winner == null) {
      return;
    }
    List<String> majorityPeers = byCanonical.get(winner).stream().map(x -> x.candidate().peerId()).toList();
    Instant now = ctx.clock().instant();
    List<Evidence> dissent = new ArrayList<>();
    byCanonical.forEach((canonical, attempts) -> {
      if (!canonical.equals(winner)) {
        for (Attempt a : attempts) {
          log.warn("quorum dissent on {} {}: peer {} disagrees with {} peers", chain, method, a.candidate().peerId(), majorityPeers.size());
          dissent.add(new Evidence(now, chain, method, payload, a.candidate().peerId(), a.rawPayload(), a.attestation(),
              winner, majorityPeers));
        }
      }
    });
    if (!dissent.isEmpty()) {
      ctx.metrics().dissent(dissent.size());
      ctx.blockingExecutor().execute(() -> dissent.forEach(ctx.evidence()::record));
    }
  }
}
