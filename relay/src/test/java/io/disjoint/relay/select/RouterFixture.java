package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.directory.HelloMessage;
import io.disjoint.relay.directory.InMemoryPeerDirectory;
import io.disjoint.relay.protocol.GatewayPayment;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RouteRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** A router over a fake transport, a real in-memory directory and manual time. */
final class RouterFixture {
  static final String CHAIN = "eip155:31337";
  final ManualTime time = new ManualTime();
  final InMemoryPeerDirectory directory = new InMemoryPeerDirectory(time);
  final FakeRelayTransport transport = new FakeRelayTransport(time);
  final InMemoryEvidenceLog evidence = new InMemoryEvidenceLog();
  final DiversityRouter router;
  private long helloSeq = 1;

  RouterFixture(RouterConfig config, long seed) {
    router = new DiversityRouter(directory, transport, GatewayPayment.NONE, evidence, config, time, time, new Random(seed), Runnable::run);
  }

  RouterFixture() {
    this(RouterConfig.defaults(), 42);
  }

  static FailureDomain domain(String provider, String region, String country, String operator, long asn) {
    return new FailureDomain(provider, region, country, operator, asn);
  }

  static final FailureDomain AWS = domain("aws", "us-east-1", "us", "op1", 16509);
  static final FailureDomain GCP = domain("gcp", "europe-west1", "be", "op2", 15169);
  static final FailureDomain HETZNER = domain("hetzner", "fsn1", "de", "op3", 24940);

  /** A peer that said hello with the given head. */
  void peer(String id, FailureDomain domain, long head) {
    directory.applyHello(id, new HelloMessage(helloSeq++, Map.of(CHAIN, head), domain));
  }

  static MethodRule rule(String method, MethodRule.Routing routing, int quorum) {
    return new MethodRule(method, true, 20, routing, quorum);
  }

  RouteRequest request(String method, String paramsJson, MethodRule rule) {
    return request(method, paramsJson, rule, Optional.empty());
  }

  RouteRequest request(String method, String paramsJson, MethodRule rule, Optional<String> session) {
    ObjectNode req;
    try {
      req = (ObjectNode) FakeRelayTransport.JSON.readTree(
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + paramsJson + "}");
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
    return new RouteRequest(CHAIN, method, req, rule, time.instant().plus(Duration.ofSeconds(10)), session);
  }

  RouteRequest read(String method) {
    return request(method, "[]", rule(method, MethodRule.Routing.ANY, 1));
  }
}
