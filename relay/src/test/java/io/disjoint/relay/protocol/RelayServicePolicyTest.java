package io.disjoint.relay.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.relay.eth.Address;
import io.disjoint.relay.eth.AddressPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An operator's blocked-addresses list on the serving side. */
class RelayServicePolicyTest {
  private static final String CHAIN = "eip155:31337";
  private static final String BLOCKED = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);

  private static RelayRequest call(String to) {
    String json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[{\"to\":\"" + to + "\"},\"latest\"]}";
    return new RelayRequest(1, CHAIN, json.getBytes(StandardCharsets.UTF_8), 2_000_000, new byte[0]);
  }

  @Test
  void aBlockedAddressIsRefusedBeforePaymentOrUpstreamAndCounted() {
    RelayServiceTest.RecordingPayment payment = new RelayServiceTest.RecordingPayment();
    ScriptedUpstream upstream = ScriptedUpstream.echo();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RelayService service = new RelayService(Map.of(CHAIN, upstream), payment, Runnable::run, clock, registry,
        new AddressPolicy(Set.of(Address.fromHex(BLOCKED)), "ofac.txt"));

    RelayResponse refused = service.handle("gw", call(BLOCKED)).join();
    assertEquals(RelayStatus.POLICY_REFUSED, refused.status());
    assertTrue(refused.status().retryElsewhere(), "another jurisdiction may serve it");
    assertTrue(refused.errorMessage().contains(BLOCKED) && refused.errorMessage().contains("ofac.txt"), refused.errorMessage());
    assertEquals(0, upstream.calls, "nothing reached the upstream");
    assertTrue(payment.stored.isEmpty(), "no receipt kept for a refused request");
    assertEquals(1.0, registry.get("disjoint.relay.served").tag("status", "policy_refused").counter().count());

    // Other requests are served as before (this one carries no receipt, so the payment refuses it:
    // the point is that the policy let it through to the payment check).
    RelayResponse other = service.handle("gw", call("0x00000000000000000000000000000000000000aa")).join();
    assertEquals(RelayStatus.RECEIPT_REJECTED, other.status());
  }

  @Test
  void policyRefusedTravelsOnTheWire() {
    assertEquals(RelayStatus.POLICY_REFUSED, RelayStatus.fromWire(RelayStatus.POLICY_REFUSED.wire().getNumber()));
    assertEquals(9, RelayStatus.POLICY_REFUSED.wire().getNumber());
  }
}
