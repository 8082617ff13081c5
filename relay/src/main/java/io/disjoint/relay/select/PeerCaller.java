package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.directory.PeerDirectory;
import io.disjoint.relay.jsonrpc.RawResult;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.protocol.RelayRequest;
import io.disjoint.relay.protocol.RelayResponse;
import io.disjoint.relay.protocol.RelayStatus;
import io.disjoint.relay.protocol.RelayTransport;
import io.disjoint.relay.protocol.RelayTransportException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one request to one peer and turns whatever happens into an {@link Attempt}, feeding the
 * reputation, the breakers and the directory's head on the way. Never completes exceptionally.
 */
public final class PeerCaller {
  private static final Logger log = LoggerFactory.getLogger(PeerCaller.class);
  private static final byte[] NONE = new byte[0];

  private final RelayTransport transport;
  private final GatewayPayment payment;
  private final PeerDirectory directory;
  private final PeerReputation reputation;
  private final CircuitBreakers breakers;
  private final ErrorClassifier classifier;
  private final ObjectMapper json;
  private final Clock clock;
  private final RouterMetrics metrics;

  public PeerCaller(RelayTransport transport, GatewayPayment payment, PeerDirectory directory, PeerReputation reputation,
      CircuitBreakers breakers, ErrorClassifier classifier, ObjectMapper json, Clock clock, RouterMetrics metrics) {
    this.metrics = metrics;
    this.transport = transport;
    this.payment = payment;
    this.directory = directory;
    this.reputation = reputation;
    this.breakers = breakers;
    this.classifier = classifier;
    this.json = json;
    this.clock = clock;
    payment.useTransport(transport);
  }

  public CompletableFuture<Attempt> call(Candidate c, String chain, byte[] payload, Instant deadline, int computeUnits) {
    return call(c, chain, payload, deadline, computeUnits, false);
  }

  /**
   * As above; {@code evidence} marks calls whose answers may become evidence (quorum reads), for
   * which the serving peer is asked for a signed attestation (others only on the payment's audit share).
   */
  public CompletableFuture<Attempt> call(Candidate c, String chain, byte[] payload, Instant deadline, int computeUnits,
      boolean evidence) {
    return call(c, chain, payload, deadline, computeUnits, evidence, false);
  }

  /**
   * As above; with {@code passThrough} a plain result is kept as the peer's bytes
   * ({@link RawResult}) instead of a parsed tree, for answers that go to the client as they are.
   * Error answers are always parsed (they are classified).
   */
  public CompletableFuture<Attempt> call(Candidate c, String chain, byte[] payload, Instant deadline, int computeUnits,
      boolean evidence, boolean passThrough) {
    // Until it finishes, the request's age counts against the peer's latency (a hung peer loses rank).
    long ticket = reputation.requestStarted(c.peerId(), clock.instant());
    return attempt(c, chain, payload, deadline, computeUnits, evidence, passThrough)
        .whenComplete((a, e) -> reputation.requestFinished(c.peerId(), ticket))
        .thenApply(a -> {
          metrics.attempt(a.outcome(), a.latency());
          return a;
        });
  }

  private CompletableFuture<Attempt> attempt(Candidate c, String chain, byte[] payload, Instant deadline, int computeUnits,
      boolean evidence, boolean passThrough) {
    Instant start = clock.instant();
    byte[] receipt;
    try {
      receipt = payment.receiptFor(c.peerId(), chain, payload, computeUnits);
    } catch (RuntimeException e) {
      log.error("cannot sign a receipt for {}", c.peerId(), e);
      return CompletableFuture.completedFuture(failed(c, "receipt signing failed", start, false));
    }
    byte[] batch = receipt.length > 0 ? payment.receiptBatchFor(c.peerId()) : NONE;
    RelayRequest request = new RelayRequest(0, chain, payload, Math.max(1, deadline.toEpochMilli()), receipt,
        receipt.length > 0 && payment.wantsSignedAttestation(evidence), batch);
    CompletableFuture<RelayResponse> sent;
    try {
      sent = transport.send(c.peerId(), request);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle((response, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        boolean transportFailure = !(cause instanceof RelayTransportException t) || t.kind() != RelayTransportException.Kind.TIMEOUT;
        if (batch.length > 0 && transportFailure) {
          payment.receiptBatchNotDelivered(c.peerId(), batch);
        }
        return failed(c, "transport: " + cause.getMessage(), start, transportFailure);
      }
      return fromResponse(c, chain, receipt, response, start, passThrough);
    });
  }

  private Attempt fromResponse(Candidate c, String chain, byte[] receipt, RelayResponse r, Instant start,
      boolean passThrough) {
    if (r.headNumber() >= 0) {
      directory.observeHead(c.peerId(), chain, r.headNumber());
    }
    if (r.attestation().length > 0) {
      payment.onAttestation(c.peerId(), receipt, r.attestation());
    }
    if (receipt.length > 0) {
      if (r.status() == RelayStatus.OK) {
        payment.onReceiptAccepted(c.peerId(), receipt);
      } else if (r.status() == RelayStatus.RECEIPT_REJECTED) {
        payment.onReceiptRejected(c.peerId(), receipt, r.errorMessage());
      }
    }
    if (r.status() == RelayStatus.POLICY_REFUSED) {
      // The node obeys its operator's policy: not a fault, so no breaker or reputation penalty;
      // the router tries a node in another domain.
      log.debug("relay to {} refused by its policy: {}", c.peerId(), r.errorMessage());
      return new Attempt(c, Outcome.RETRYABLE, Optional.empty(), NONE, NONE,
          "peer status POLICY_REFUSED: " + r.errorMessage(), elapsed(start));
    }
    if (r.status() != RelayStatus.OK) {
      if (r.status().retryElsewhere()) {
        return failed(c, "peer status " + r.status() + ": " + r.errorMessage(), start, false);
      }
      // The request itself was refused for good; every node would say the same.
      ObjectNode error = json.createObjectNode();
      error.put("jsonrpc", "2.0");
      error.putNull("id");
      error.putObject("error").put("code", -32600).put("message", "request rejected: " + r.errorMessage());
      return answered(c, Outcome.DETERMINISTIC_ERROR, error, r, start);
    }
    if (passThrough) {
      Optional<ObjectNode> result = RawResult.passThrough(r.payload());
      if (result.isPresent()) {
        return answered(c, Outcome.RESULT, result.get(), r, start);
      }
    }
    JsonNode parsed;
    try {
      parsed = json.readTree(r.payload());
    } catch (IOException e) {
      return failed(c, "peer returned invalid JSON", start, false);
    }
    if (parsed == null || !parsed.isObject()) {
      return failed(c, "peer returned a non-object JSON-RPC response", start, false);
    }
    ObjectNode response = (ObjectNode) parsed;
    Outcome outcome = classifier.classify(response);
    if (outcome == Outcome.RETRYABLE) {
      reputation.recordFailure(c.peerId());
      breakers.onFailure(c.peerId(), c.domain(), false);
      return new Attempt(c, outcome, Optional.of(response), r.payload(), r.attestation(),
          "node trouble: " + response.path("error").path("message").asText(""), elapsed(start));
    }
    return answered(c, outcome, response, r, start);
  }

  private Attempt answered(Candidate c, Outcome outcome, ObjectNode response, RelayResponse r, Instant start) {
    Duration latency = elapsed(start);
    reputation.recordAnswer(c.peerId(), latency);
    breakers.onAnswer(c.peerId(), c.domain());
    return new Attempt(c, outcome, Optional.of(response), r.payload(), r.attestation(), "", latency);
  }

  private Attempt failed(Candidate c, String why, Instant start, boolean transportFailure) {
    reputation.recordFailure(c.peerId());
    breakers.onFailure(c.peerId(), c.domain(), transportFailure);
    log.debug("relay to {} failed: {}", c.peerId(), why);
    return new Attempt(c, Outcome.RETRYABLE, Optional.empty(), NONE, NONE, why, elapsed(start));
  }

  private Duration elapsed(Instant start) {
    return Duration.between(start, clock.instant());
  }
}
