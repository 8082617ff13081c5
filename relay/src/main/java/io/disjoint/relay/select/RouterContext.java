package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.concurrent.Executor;

/** What every routing strategy shares; built once by {@link DiversityRouter}. */
record RouterContext(
    RouterConfig config,
    CandidateSelector selector,
    PeerCaller caller,
    PeerReputation reputation,
    ResultCanonicalizer canonicalizer,
    EvidenceLog evidence,
    ObjectMapper json,
    Clock clock,
    Scheduler scheduler,
    Executor blockingExecutor,
    RouterMetrics metrics,
    HedgeBudget hedgeBudget) {}
