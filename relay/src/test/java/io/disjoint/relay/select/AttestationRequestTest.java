package io.disjoint.relay.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.relay.directory.HelloMessage;
import io.disjoint.relay.directory.InMemoryPeerDirectory;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.protocol.RelayRequest;
import io.disjoint.relay.protocol.RelayResponse;
import io.disjoint.relay.protocol.RelayTransport;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RouteRequest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The gateway asks serving peers for a signed attestation exactly where it uses one: on every
 * quorum participant (their answers may become evidence), not on ordinary reads unless the
 * payment's audit draw says so.
 */
class AttestationRequestTest {
  private final ManualTime time = new ManualTime();
  private final InMemoryPeerDirectory directory = new InMemoryPeerDirectory(time);
  private final List<RelayRequest> sent = new CopyOnWriteArrayList<>();
  private final RelayTransport transport = (peer, request) -> {
    sent.add(request);
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}";
    return CompletableFuture.completedFuture(RelayResponse.ok(0, body.getBytes(StandardCharsets.UTF_8), 100, new byte[0],
        request.signAttestation() ? new byte[] {7} : new byte[0]));
  };

  /** Pays with a one-byte receipt; audits nothing, so only evidence calls ask. */
  private final GatewayPayment evidenceOnly = new GatewayPayment() {
    @Override
    public byte[] receiptFor(String servingPeer, String chain, byte[] payload, int computeUnits) {
      return new byte[] {1};
    }

    @Override
    public boolean wantsSignedAttestation(boolean evidence) {
      return evidence;
    }
  };

  private DiversityRouter router(GatewayPayment payment) {
    long seq = 1;
    for (var d : List.of(RouterFixture.AWS, RouterFixture.GCP, RouterFixture.HETZNER)) {
      directory.applyHello(d.provider(), new HelloMessage(seq++, Map.of(RouterFixture.CHAIN, 100L), d));
    }
    return new DiversityRouter(directory, transport, payment, new InMemoryEvidenceLog(),
        RouterConfig.builder().hedging(false).build(), time, time, new Random(3), Runnable::run);
  }

  private RouteRequest request(MethodRule rule) throws Exception {
    ObjectNode req = (ObjectNode) FakeRelayTransport.JSON.readTree(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + rule.method() + "\",\"params\":[]}");
    return new RouteRequest(RouterFixture.CHAIN, rule.method(), req, rule, time.instant().plus(Duration.ofSeconds(10)),
        Optional.empty());
  }

  @Test
  void quorumParticipantsAreAskedOrdinaryReadsAreNot() throws Exception {
    DiversityRouter router = router(evidenceOnly);
    for (int i = 0; i < 5; i++) {
      router.route(request(RouterFixture.rule("eth_blockNumber", MethodRule.Routing.ANY, 1))).join();
    }
    assertEquals(5, sent.size());
    assertTrue(sent.stream().noneMatch(RelayRequest::signAttestation), "ordinary reads: no signature asked");
    sent.clear();
    router.route(request(RouterFixture.rule("eth_getBlockByNumber", MethodRule.Routing.ANY, 3))).join();
    assertEquals(3, sent.size());
    assertTrue(sent.stream().allMatch(RelayRequest::signAttestation), "every quorum participant is asked");
  }

  @Test
  void withoutReceiptsNothingIsAsked() throws Exception {
    DiversityRouter router = router(GatewayPayment.NONE);
    router.route(request(RouterFixture.rule("eth_getBlockByNumber", MethodRule.Routing.ANY, 3))).join();
    assertEquals(3, sent.size());
    assertTrue(sent.stream().noneMatch(RelayRequest::signAttestation));
  }
}
