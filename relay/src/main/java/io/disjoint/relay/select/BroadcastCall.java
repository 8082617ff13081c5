package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.route.RouteException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A broadcast (eth_sendRawTransaction): sent at once to up to {@code fanout} peers in different
 * failure domains so one censoring or dead domain cannot drop it. The first result answers; if no
 * peer gives a result, a deterministic error (e.g. "nonce too low") is returned when any peer gave
 * one, otherwise the request failed.
 */
final class BroadcastCall {
  private final CompletableFuture<ObjectNode> result = new CompletableFuture<>();
  private int inFlight;
  private Attempt firstDeterministic;
  private String lastFailure = "none";
  private Scheduler.Cancellable deadlineTimer;

  private BroadcastCall() {}

  static CompletableFuture<ObjectNode> run(RouterContext ctx, String chain, byte[] payload, Instant deadline, int computeUnits) {
    BroadcastCall call = new BroadcastCall();
    synchronized (call) {
      List<Candidate> targets = ctx.selector().pickDisjointSet(
          ctx.selector().candidates(chain), ctx.config().broadcastFanout(), Set.of(), List.of(), true);
      Duration untilDeadline = Duration.between(ctx.clock().instant(), deadline);
      if (targets.isEmpty()) {
        call.result.completeExceptionally(ctx.selector().noCandidate(chain));
      } else if (untilDeadline.isNegative() || untilDeadline.isZero()) {
        call.result.completeExceptionally(RouteErrors.timeout());
      } else {
        call.deadlineTimer = ctx.scheduler().schedule(untilDeadline, call::onDeadline);
        call.inFlight = targets.size();
        for (Candidate c : targets) {
          ctx.caller().call(c, chain, payload, deadline, computeUnits).whenComplete(call::onAttempt);
        }
      }
    }
    return call.result;
  }

  private synchronized void onAttempt(Attempt a, Throwable error) {
    inFlight--;
    if (error != null) {
      lastFailure = error.toString();
    } else if (a.outcome() == Outcome.RESULT) {
      complete(a.responseOrThrow());
    } else if (a.outcome() == Outcome.DETERMINISTIC_ERROR) {
      if (firstDeterministic == null) {
        firstDeterministic = a;
      }
    } else {
      lastFailure = a.failure();
    }
    if (inFlight == 0 && !result.isDone()) {
      if (firstDeterministic != null) {
        complete(firstDeterministic.responseOrThrow());
      } else {
        deadlineTimer.cancel();
        result.completeExceptionally(new RouteException(RouteErrors.UNAVAILABLE, "broadcast reached no peer (last: " + lastFailure + ")"));
      }
    }
  }

  private void complete(ObjectNode response) {
    if (deadlineTimer != null) {
      deadlineTimer.cancel();
    }
    result.complete(response);
  }

  private synchronized void onDeadline() {
    result.completeExceptionally(RouteErrors.timeout());
  }
}
