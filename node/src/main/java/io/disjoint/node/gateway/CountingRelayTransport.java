package io.disjoint.node.gateway;

import io.disjoint.relay.protocol.RelayRequest;
import io.disjoint.relay.protocol.RelayResponse;
import io.disjoint.relay.protocol.RelayStatus;
import io.disjoint.relay.protocol.RelayTransport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Counts every relay the gateway sends, by outcome: {@code disjoint_gateway_relays_total} with
 * {@code status} = a {@link RelayStatus} name or {@code TRANSPORT_ERROR}, and a latency timer.
 * Tags come from the status enum only (never a peer id). A serving node stores one receipt per
 * relay it answered OK, so the OK count here is what the serving nodes' receipt stores add up to.
 */
public final class CountingRelayTransport implements RelayTransport {
  public static final String RELAYS = "disjoint.gateway.relays";
  public static final String TRANSPORT_ERROR = "TRANSPORT_ERROR";

  private final RelayTransport inner;
  private final Map<RelayStatus, Counter> byStatus = new EnumMap<>(RelayStatus.class);
  private final Counter transportErrors;
  private final Timer latency;

  public CountingRelayTransport(RelayTransport inner, MeterRegistry registry) {
    this.inner = inner;
    for (RelayStatus s : RelayStatus.values()) {
      byStatus.put(s, Counter.builder(RELAYS).description("relay requests sent to peers, by outcome")
          .tag("status", s.name()).register(registry));
    }
    this.transportErrors = Counter.builder(RELAYS).tag("status", TRANSPORT_ERROR).register(registry);
    this.latency = Timer.builder("disjoint.gateway.relay.latency")
        .description("time from sending a relay request to its response").register(registry);
  }

  @Override
  public CompletableFuture<RelayResponse> send(String peerId, RelayRequest request) {
    long start = System.nanoTime();
    return inner.send(peerId, request).whenComplete((resp, err) -> {
      latency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
      if (err != null) {
        transportErrors.increment();
      } else {
        byStatus.get(resp.status()).increment();
      }
    });
  }
}
