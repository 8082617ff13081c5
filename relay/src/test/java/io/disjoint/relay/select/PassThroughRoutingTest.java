package io.disjoint.relay.select;

import static io.disjoint.relay.select.RouterFixture.AWS;
import static io.disjoint.relay.select.RouterFixture.GCP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RouteRequest;
import org.junit.jupiter.api.Test;

/**
 * A caller that only writes the result back (the gateway) gets the peer's exact bytes; one that
 * reads the answer gets a parsed tree; errors are parsed and classified either way.
 */
class PassThroughRoutingTest {
  private static final String RESULT = "{ \"number\" : \"0x10\", \"big\" : 1e400, \"s\" : \"a\\u0041\" }";

  private static RouteRequest passThrough(RouteRequest r) {
    return new RouteRequest(r.chain(), r.method(), r.request(), r.rule(), r.deadline(), r.session(), true);
  }

  @Test
  void passThroughHandsOverThePeersBytesAndOthersGetATree() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).build(), 5);
    f.peer("a", AWS, 100);
    f.transport.set("a", f.transport.result(RESULT));

    ObjectNode raw = f.router.route(passThrough(f.read("eth_getBlockByNumber"))).join();
    JsonNode result = raw.get("result");
    assertTrue(result instanceof POJONode pojo && pojo.getPojo() instanceof RawValue, "raw: " + raw);
    assertEquals(RESULT, ((RawValue) ((POJONode) result).getPojo()).rawValue());

    ObjectNode tree = f.router.route(f.read("eth_getBlockByNumber")).join();
    assertEquals("0x10", tree.path("result").path("number").asText());
    assertEquals("aA", tree.path("result").path("s").asText());
  }

  @Test
  void aRetryableErrorIsStillRecognisedAndFailedOverUnderPassThrough() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).probationShare(0).build(), 11);
    f.peer("a", AWS, 100);
    f.peer("g", GCP, 100);
    f.transport.set("a", f.transport.error(-32603, "internal error"));
    f.transport.set("g", f.transport.result("\"0x2a\""));
    for (int i = 0; i < 20; i++) {
      ObjectNode r = f.router.route(passThrough(f.read("eth_chainId"))).join();
      assertEquals("\"0x2a\"", ((RawValue) ((POJONode) r.get("result")).getPojo()).rawValue().toString());
    }
    assertTrue(f.transport.callsTo("a") >= 1, "the failing peer was tried");
  }

  @Test
  void aDeterministicErrorComesBackParsedUnderPassThrough() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).build(), 3);
    f.peer("a", AWS, 100);
    f.transport.set("a", f.transport.error(3, "execution reverted"));
    ObjectNode r = f.router.route(passThrough(f.read("eth_call"))).join();
    assertEquals(3, r.path("error").path("code").asInt());
    assertEquals(1, f.transport.calls.size(), "no retry for a revert");
  }

  @Test
  void stickySessionsPassThroughToo() {
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).build(), 9);
    f.peer("a", AWS, 100);
    f.transport.set("a", f.transport.result("[1, 2]"));
    MethodRule sticky = RouterFixture.rule("eth_getBalance", MethodRule.Routing.STICKY, 1);
    ObjectNode r = f.router.route(passThrough(f.request("eth_getBalance", "[]", sticky, java.util.Optional.of("s1")))).join();
    assertEquals("[1, 2]", ((RawValue) ((POJONode) r.get("result")).getPojo()).rawValue());
  }
}
