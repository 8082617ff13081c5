package io.disjoint.relay.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gateway meters, with tags from bounded sets only: the chain (configured, or learned from peers'
 * hellos — at most {@link GatewayChains#MAX_LEARNED} of those), the method (listed in
 * the method table, else {@code other}), the outcome (the enum below) and the transport.
 *
 * <ul>
 *   <li>{@code disjoint.gateway.calls} (counter): one per JSON-RPC call, by chain, method, outcome
 *   <li>{@code disjoint.gateway.bodies} (timer): one per request body (single or batch), from
 *       parse to answer, by transport (http, ws) and kind (single, batch, rejected)
 * </ul>
 */
final class GatewayMetrics {
  /** What became of one call. */
  enum Outcome {
    OK,
    RPC_ERROR,
    DENIED,
    INVALID,
    TIMEOUT,
    FAILED;

    final String tag = name().toLowerCase(java.util.Locale.ROOT);
  }

  private final MeterRegistry registry;
  /** chain -> method tag -> counters by outcome: looked up per call without building a key. */
  private final Map<String, Map<String, Counter[]>> calls = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Timer>> bodies = new ConcurrentHashMap<>();

  GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void call(String chain, String method, Set<String> listedMethods, Outcome outcome) {
    String methodTag = listedMethods.contains(method) ? method : "other";
    Counter[] byOutcome =
        calls
            .computeIfAbsent(chain, c -> new ConcurrentHashMap<>())
            .computeIfAbsent(methodTag, m -> new Counter[Outcome.values().length]);
    Counter counter = byOutcome[outcome.ordinal()];
    if (counter == null) {
      // Registering is idempotent, so a race between two loops yields the same counter.
      counter =
          Counter.builder("disjoint.gateway.calls")
              .description("JSON-RPC calls answered by the gateway")
              .tag("chain", chain)
              .tag("method", methodTag)
              .tag("outcome", outcome.tag)
              .register(registry);
      byOutcome[outcome.ordinal()] = counter;
    }
    counter.increment();
  }

  void body(String transport, String kind, Duration took) {
    bodies
        .computeIfAbsent(transport, t -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            kind,
            k ->
                Timer.builder("disjoint.gateway.bodies")
                    .description("request bodies from parse to answer")
                    .tag("transport", transport)
                    .tag("kind", kind)
                    .publishPercentiles(0.5, 0.99)
                    .register(registry))
        .record(took);
  }
}
