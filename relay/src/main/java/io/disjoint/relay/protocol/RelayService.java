package io.disjoint.relay.protocol;

import io.disjoint.relay.eth.AddressPolicy;
import io.disjoint.relay.upstream.Head;
import io.disjoint.relay.upstream.UpstreamClient;
import io.disjoint.relay.upstream.UpstreamException;
import java.time.Clock;
import java.time.Duration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side of the relay protocol: checks that the chain is served, the deadline is still
 * ahead and the receipt is acceptable, forwards the raw JSON-RPC bytes to the operator's own
 * upstream, and answers with the upstream's bytes, its head and the signed attestation. An
 * operator's {@link AddressPolicy} is applied before the receipt is even looked at, so a refused
 * request costs the gateway nothing and is answered with {@link RelayStatus#POLICY_REFUSED}.
 */
public final class RelayService {
  private static final Logger log = LoggerFactory.getLogger(RelayService.class);
  private static final byte[] NO_HASH = new byte[0];

  private final Map<String, UpstreamClient> upstreams;
  private final ServingPayment payment;
  private final Executor blockingExecutor;
  private final Clock clock;
  private final AddressPolicy policy;
  private final Map<RelayStatus, Counter> served = new EnumMap<>(RelayStatus.class);

  /**
   * @param upstreams the operator's chain node per served CAIP-2 chain id
   * @param payment receipt checking and attestation ({@link ServingPayment#FREE} to relay unpaid)
   * @param blockingExecutor where payment checks and receipt storage run (virtual threads are fine)
   */
  public RelayService(Map<String, UpstreamClient> upstreams, ServingPayment payment, Executor blockingExecutor, Clock clock) {
    this(upstreams, payment, blockingExecutor, clock, new SimpleMeterRegistry(), AddressPolicy.NONE);
  }

  /** As above, counting answers in {@code disjoint.relay.served} by status (a fixed enum). */
  public RelayService(Map<String, UpstreamClient> upstreams, ServingPayment payment, Executor blockingExecutor, Clock clock,
      MeterRegistry registry) {
    this(upstreams, payment, blockingExecutor, clock, registry, AddressPolicy.NONE);
  }

  /** As above, refusing what the operator's {@code policy} blocks ({@link AddressPolicy#NONE}: nothing). */
  public RelayService(Map<String, UpstreamClient> upstreams, ServingPayment payment, Executor blockingExecutor, Clock clock,
      MeterRegistry registry, AddressPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    for (RelayStatus status : RelayStatus.values()) {
      served.put(status, Counter.builder("disjoint.relay.served").tag("status", status.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry));
    }
    this.upstreams = Map.copyOf(upstreams);
    this.payment = Objects.requireNonNull(payment, "payment");
    this.blockingExecutor = Objects.requireNonNull(blockingExecutor, "blockingExecutor");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Set<String> chains() {
    return upstreams.keySet();
  }

  /** The upstream head of a served chain, {@link Head#UNKNOWN} otherwise. */
  public Head head(String chain) {
    UpstreamClient upstream = upstreams.get(chain);
    return upstream == null ? Head.UNKNOWN : upstream.head();
  }

  /** Handles one request; never completes exceptionally (failures become a non-OK status). */
  public CompletableFuture<RelayResponse> handle(String gatewayPeer, RelayRequest request) {
    if (request.batchOnly()) {
      // A gateway's receipt batch with no request to ride on (docs/relay-protocol.md); not a relay.
      payment.acceptBatch(gatewayPeer, request.receiptBatch());
      return CompletableFuture.completedFuture(RelayResponse.batchAccepted(request.requestId()));
    }
    boolean[] batchTaken = {request.receiptBatch().length == 0};
    CompletableFuture<RelayResponse> answer = answer(gatewayPeer, request, batchTaken);
    if (!batchTaken[0]) {
      // Refused before payment: the batch still signs for earlier receipts.
      payment.acceptBatch(gatewayPeer, request.receiptBatch());
    }
    answer.thenAccept(r -> served.get(r.status()).increment());
    return answer;
  }

  private CompletableFuture<RelayResponse> answer(String gatewayPeer, RelayRequest request, boolean[] batchTaken) {
    long id = request.requestId();
    UpstreamClient upstream = upstreams.get(request.chain());
    if (upstream == null) {
      return CompletableFuture.completedFuture(RelayResponse.failure(
          id, RelayStatus.CHAIN_NOT_SERVED, "chain " + request.chain() + " is not served here", -1, NO_HASH));
    }
    long remainingMs = request.deadlineUnixMs() - clock.millis();
    if (remainingMs <= 0) {
      return CompletableFuture.completedFuture(failure(request, upstream, RelayStatus.DEADLINE_EXCEEDED, "deadline already passed"));
    }
    if (!looksLikeJson(request.payload())) {
      return CompletableFuture.completedFuture(failure(request, upstream, RelayStatus.BAD_REQUEST, "payload is not a JSON object or array"));
    }
    if (!policy.isEmpty()) {
      java.util.Optional<String> refusal = policy.refusal(request.payload());
      if (refusal.isPresent()) {
        log.debug("refused by address policy: {}", refusal.get());
        return CompletableFuture.completedFuture(failure(request, upstream, RelayStatus.POLICY_REFUSED, refusal.get()));
      }
    }
    CompletableFuture<ServingPayment.Settlement> admitted;
    if (payment.nonBlocking()) {
      try {
        admitted = CompletableFuture.completedFuture(payment.admit(gatewayPeer, request));
      } catch (RuntimeException e) {
        admitted = CompletableFuture.failedFuture(e);
      }
    } else {
      admitted = CompletableFuture.supplyAsync(() -> payment.admit(gatewayPeer, request), blockingExecutor);
    }
    if (!batchTaken[0]) {
      // After this request's own receipt was admitted (inline in non-blocking mode): a batch sealed
      // by this very receipt then finds it.
      batchTaken[0] = true;
      payment.acceptBatch(gatewayPeer, request.receiptBatch());
    }
    return admitted
        .thenCompose(settlement -> upstream.send(request.payload(), Duration.ofMillis(remainingMs))
            .thenCompose(body -> settle(request, upstream, settlement, body)))
        .exceptionally(e -> failureFor(request, upstream, e));
  }

  private CompletableFuture<RelayResponse> settle(
      RelayRequest request, UpstreamClient upstream, ServingPayment.Settlement settlement, byte[] body) {
    Head head = upstream.head();
    byte[] hash = hashBytes(head);
    long number = head.known() ? head.number() : -1;
    if (payment.nonBlocking()) {
      return CompletableFuture.completedFuture(RelayResponse.ok(request.requestId(), body, number, hash, settlement.settle(body, number, hash)));
    }
    return CompletableFuture.supplyAsync(
        () -> RelayResponse.ok(request.requestId(), body, number, hash, settlement.settle(body, number, hash)), blockingExecutor);
  }

  private RelayResponse failureFor(RelayRequest request, UpstreamClient upstream, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof PaymentRejectedException p) {
      log.debug("receipt from gateway rejected: {}", p.getMessage());
      return failure(request, upstream, RelayStatus.RECEIPT_REJECTED, p.getMessage());
    }
    if (cause instanceof UpstreamException u) {
      // The upstream's own message may name internal hosts: report only the kind.
      log.debug("upstream failed for {}: {}", request.chain(), u.getMessage());
      return u.retryable()
          ? failure(request, upstream, RelayStatus.UPSTREAM_UNAVAILABLE, "upstream unavailable")
          : failure(request, upstream, RelayStatus.UPSTREAM_REJECTED, "upstream rejected the request");
    }
    log.error("bug while relaying {}", request, cause);
    return failure(request, upstream, RelayStatus.INTERNAL, "internal error");
  }

  private static RelayResponse failure(RelayRequest request, UpstreamClient upstream, RelayStatus status, String message) {
    Head head = upstream.head();
    return RelayResponse.failure(request.requestId(), status, message, head.known() ? head.number() : -1, hashBytes(head));
  }

  private static boolean looksLikeJson(byte[] payload) {
    for (byte b : payload) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        continue;
      }
      return b == '{' || b == '[';
    }
    return false;
  }

  /** The head hash as 32 bytes, or empty when unknown or not a 0x-prefixed 32-byte hex string. */
  static byte[] hashBytes(Head head) {
    String h = head.hash();
    if (!head.known() || h.length() != 66 || !h.startsWith("0x")) {
      return NO_HASH;
    }
    try {
      return HexFormat.of().parseHex(h, 2, 66);
    } catch (IllegalArgumentException e) {
      return NO_HASH;
    }
  }
}
