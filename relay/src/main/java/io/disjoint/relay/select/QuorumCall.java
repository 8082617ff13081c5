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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A quorum read: the request goes to k peers in pairwise different failure domains (drawn at
 * random by score); answers are compared in canonical form and the first form held by a majority
 * (k/2 + 1) answers the client. A participant that fails retryably is replaced by a spare from yet
 * another domain. When the answers disagree so that no form can reach the majority any more (k = 2
 * and one liar), further peers from unused domains are asked, up to {@code quorumTieBreakers} of
 * them. Each answer that differs from the majority is kept as evidence together with the
 * dissenter's signed attestation, and costs the dissenter reputation.
 */
final class QuorumCall {
  private static final Logger log = LoggerFactory.getLogger(QuorumCall.class);

  private final RouterContext ctx;
  private final String chain;
  private final String method;
  private final ObjectNode request;
  private final int blockParam;
  private byte[] payload;
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
  private int tieBreakersUsed;
  private String winner;
  private String lastFailure = "none";
  private Scheduler.Cancellable deadlineTimer;

  private QuorumCall(RouterContext ctx, String chain, String method, ObjectNode request, int blockParam, Instant deadline,
      int computeUnits, int k) {
    this.ctx = ctx;
    this.chain = chain;
    this.method = method;
    this.request = request;
    this.blockParam = blockParam;
    this.deadline = deadline;
    this.computeUnits = computeUnits;
    this.k = k;
    this.majority = k / 2 + 1;
  }

  /**
   * @param request the client's request; when it reads at "latest" in slot {@code blockParam}
   *     ({@link io.disjoint.relay.route.MethodRule#blockParam}) it is pinned to one block first
   */
  static CompletableFuture<ObjectNode> run(RouterContext ctx, String chain, String method, ObjectNode request,
      int blockParam, Instant deadline, int computeUnits, int k) {
    QuorumCall call = new QuorumCall(ctx, chain, method, request, blockParam, deadline, computeUnits, k);
    try {
      call.start();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      call.result.completeExceptionally(new RouteException(RouteErrors.INTERNAL, "internal error", e));
    }
    return call.result;
  }

  private synchronized void start() throws com.fasterxml.jackson.core.JsonProcessingException {
    candidates = ctx.selector().candidates(chain);
    List<Candidate> chosen = ctx.selector().pickDisjointSet(candidates, k, Set.of(), List.of());
    ObjectNode sent = request;
    if (chosen.size() >= k && BlockPin.readsLatest(request, blockParam)) {
      OptionalLong pin = ctx.selector().pinBlock(chain, candidates);
      if (pin.isPresent()) {
        long block = pin.getAsLong();
        sent = BlockPin.pinned(request, blockParam, block);
        // Peers without a fresh report may lack the block; those with one all have it.
        candidates = candidates.stream().filter(c -> ctx.selector().mayHave(c, block)).toList();
        ctx.metrics().quorumPinned();
      }
    }
    payload = ctx.json().writeValueAsBytes(sent);
    if (candidates.isEmpty()) {
      result.completeExceptionally(ctx.selector().noCandidate(chain));
      return;
    }
    if (chosen.size() < k) {
      result.completeExceptionally(new RouteException(RouteErrors.UNAVAILABLE,
          "quorum of " + k + " for " + method + " needs " + k + " peers in different failure domains; "
              + chosen.size() + " available (domains sharing a provider or ASN count as one)"));
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
    ctx.caller().call(c, chain, payload, deadline, computeUnits, true).whenComplete(this::onAttempt);
  }

  private void onAttempt(Attempt a, Throwable error) {
    List<Candidate> toSend = new ArrayList<>();
    synchronized (this) {
      inFlight--;
      if (error != null) {
        fail(new RouteException(RouteErrors.INTERNAL, "router bug: " + error, error));
      } else if (a.outcome() == Outcome.RETRYABLE) {
        lastFailure = a.failure();
        if (sparesUsed < ctx.config().quorumSpares() && !result.isDone()) {
          Optional<Candidate> spare = ctx.selector().drawDisjoint(candidates, usedPeers, usedDomains);
          if (spare.isPresent()) {
            sparesUsed++;
            reserve(spare.get());
            toSend.add(spare.get());
          }
        }
      } else {
        counted(a);
      }
      if (winner == null && !result.isDone()) {
        askTieBreakers(toSend);
        if (largestGroup() + inFlight < majority) {
          fail(noQuorum());
        }
      }
    }
    // Sent outside the lock's bookkeeping: an answer completing synchronously re-enters onAttempt
    // and must see every participant already reserved.
    toSend.forEach(this::send);
  }

  private void counted(Attempt a) {
    String canonical = ctx.canonicalizer().canonical(a.responseOrThrow());
    List<Attempt> group = byCanonical.computeIfAbsent(canonical, x -> new ArrayList<>());
    group.add(a);
    if (winner == null && group.size() >= majority) {
      winner = canonical;
      if (deadlineTimer != null) {
        deadlineTimer.cancel();
      }
      result.complete(group.get(0).responseOrThrow());
      byCanonical.forEach((form, attempts) -> {
        if (!form.equals(winner)) {
          attempts.forEach(this::dissented);
        }
      });
    } else if (winner != null && !canonical.equals(winner)) {
      dissented(a);
    }
  }

  /**
   * When the answers so far and those still awaited cannot give any form a majority, asks as many
   * further peers (each from a domain not used yet) as the majority still lacks, within
   * {@code quorumTieBreakers}.
   */
  private void askTieBreakers(List<Candidate> toSend) {
    int lacking = majority - (largestGroup() + inFlight);
    while (lacking > 0 && tieBreakersUsed < ctx.config().quorumTieBreakers()) {
      Optional<Candidate> next = ctx.selector().drawDisjoint(candidates, usedPeers, usedDomains);
      if (next.isEmpty()) {
        return;
      }
      tieBreakersUsed++;
      lacking--;
      ctx.metrics().tieBreaker();
      log.debug("quorum for {} {} split; asking {} as tie-breaker", chain, method, next.get().peerId());
      reserve(next.get());
      toSend.add(next.get());
    }
  }

  private int largestGroup() {
    return byCanonical.values().stream().mapToInt(List::size).max().orElse(0);
  }

  private RouteException noQuorum() {
    int answers = byCanonical.values().stream().mapToInt(List::size).sum();
    return new RouteException(RouteErrors.UNAVAILABLE, "no quorum for " + method + ": " + answers + " answers in "
        + byCanonical.size() + " different forms, majority " + majority + " needed; asked " + usedPeers.size()
        + " peers in different failure domains (" + tieBreakersUsed + " tie-breakers), no further one available (last failure: "
        + lastFailure + ")");
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

  /** Keeps an answer that lost the vote as evidence and costs its peer reputation. */
  private void dissented(Attempt a) {
    List<String> majorityPeers = byCanonical.get(winner).stream().map(x -> x.candidate().peerId()).toList();
    String dissenter = a.candidate().peerId();
    log.warn("quorum dissent on {} {}: peer {} disagrees with {} peers", chain, method, dissenter, majorityPeers.size());
    ctx.reputation().recordDissent(dissenter, ctx.config().quorumDissentPenalty());
    ctx.metrics().dissent(1);
    Evidence evidence = new Evidence(ctx.clock().instant(), chain, method, payload, dissenter, a.rawPayload(),
        a.attestation(), winner, majorityPeers);
    ctx.blockingExecutor().execute(() -> ctx.evidence().record(evidence));
  }
}
