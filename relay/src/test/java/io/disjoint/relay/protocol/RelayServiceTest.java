package io.disjoint.relay.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.relay.upstream.UpstreamException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** The serving side's checks, upstream error mapping and payment hooks. */
class RelayServiceTest {
  private static final String CHAIN = "eip155:31337";
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);
  private final Executor direct = Runnable::run;
  private final byte[] json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}".getBytes(StandardCharsets.UTF_8);

  private RelayRequest request(long deadline, byte[] receipt) {
    return new RelayRequest(3, CHAIN, json, deadline, receipt);
  }

  /** Records what the payment hooks saw. */
  static final class RecordingPayment implements ServingPayment {
    final List<String> stored = new CopyOnWriteArrayList<>();

    @Override
    public Settlement admit(String gatewayPeer, RelayRequest request) {
      if (request.paymentReceipt().length == 0) {
        throw new PaymentRejectedException("no receipt from " + gatewayPeer);
      }
      return (payload, head, hash) -> {
        stored.add(gatewayPeer + ":" + new String(request.paymentReceipt(), StandardCharsets.UTF_8) + "@" + head);
        return ("att:" + new String(payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
      };
    }
  }

  @Test
  void successfulRelayStoresOneReceiptAndReturnsTheAttestation() {
    RecordingPayment payment = new RecordingPayment();
    RelayService service = new RelayService(Map.of(CHAIN, ScriptedUpstream.echo()), payment, direct, clock);
    RelayResponse r = service.handle("gw", request(2_000_000, "r1".getBytes(StandardCharsets.UTF_8))).join();
    assertEquals(RelayStatus.OK, r.status());
    assertEquals(List.of("gw:r1@100"), payment.stored);
    assertArrayEquals(("att:" + new String(r.payload(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8), r.attestation());
  }

  @Test
  void rejectedReceiptIsNotForwardedAndStoresNothing() {
    RecordingPayment payment = new RecordingPayment();
    ScriptedUpstream upstream = ScriptedUpstream.echo();
    RelayService service = new RelayService(Map.of(CHAIN, upstream), payment, direct, clock);
    RelayResponse r = service.handle("gw", request(2_000_000, new byte[0])).join();
    assertEquals(RelayStatus.RECEIPT_REJECTED, r.status());
    assertTrue(r.errorMessage().contains("no receipt"));
    assertEquals(0, upstream.calls);
    assertTrue(payment.stored.isEmpty());
  }

  @Test
  void failedUpstreamStoresNoReceiptAndLeaksNoInternals() {
    RecordingPayment payment = new RecordingPayment();
    ScriptedUpstream upstream = new ScriptedUpstream(req -> CompletableFuture.failedFuture(
        new UpstreamException("connect to 10.1.2.3:8545 refused", true)));
    RelayService service = new RelayService(Map.of(CHAIN, upstream), payment, direct, clock);
    RelayResponse r = service.handle("gw", request(2_000_000, "r".getBytes(StandardCharsets.UTF_8))).join();
    assertEquals(RelayStatus.UPSTREAM_UNAVAILABLE, r.status());
    assertFalse(r.errorMessage().contains("10.1.2.3"));
    assertTrue(payment.stored.isEmpty());

    ScriptedUpstream refusing = new ScriptedUpstream(req -> CompletableFuture.failedFuture(new UpstreamException("HTTP 400", false)));
    RelayService service2 = new RelayService(Map.of(CHAIN, refusing), ServingPayment.FREE, direct, clock);
    assertEquals(RelayStatus.UPSTREAM_REJECTED, service2.handle("gw", request(2_000_000, new byte[0])).join().status());
  }

  @Test
  void unservedChainPastDeadlineAndNonJsonAreRefusedWithoutCallingUpstream() {
    ScriptedUpstream upstream = ScriptedUpstream.echo();
    RelayService service = new RelayService(Map.of(CHAIN, upstream), ServingPayment.FREE, direct, clock);
    RelayRequest otherChain = new RelayRequest(1, "eip155:1", json, 2_000_000, new byte[0]);
    assertEquals(RelayStatus.CHAIN_NOT_SERVED, service.handle("gw", otherChain).join().status());
    assertEquals(RelayStatus.DEADLINE_EXCEEDED, service.handle("gw", request(999_999, new byte[0])).join().status());
    RelayRequest notJson = new RelayRequest(1, CHAIN, "hello".getBytes(StandardCharsets.UTF_8), 2_000_000, new byte[0]);
    assertEquals(RelayStatus.BAD_REQUEST, service.handle("gw", notJson).join().status());
    assertEquals(0, upstream.calls);
    assertEquals(java.util.Set.of(CHAIN), service.chains());
  }

  @Test
  void answersAreCountedByStatus() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    RelayService service = new RelayService(Map.of(CHAIN, ScriptedUpstream.echo()), ServingPayment.FREE, direct, clock, registry);
    service.handle("gw", request(2_000_000, new byte[0])).join();
    service.handle("gw", request(2_000_000, new byte[0])).join();
    service.handle("gw", new RelayRequest(1, "eip155:1", json, 2_000_000, new byte[0])).join();
    assertEquals(2.0, registry.get("disjoint.relay.served").tag("status", "ok").counter().count());
    assertEquals(1.0, registry.get("disjoint.relay.served").tag("status", "chain_not_served").counter().count());
  }
}
