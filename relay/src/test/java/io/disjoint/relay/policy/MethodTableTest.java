package io.disjoint.relay.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.MethodRule.Routing;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MethodTableTest {
  private final MethodTable table = MethodTable.load("eip155");

  @Test
  void listedMethodsCarryTheirComputeUnitsAndRouting() {
    assertEquals(new MethodRule("eth_blockNumber", true, 10, Routing.ANY, 1), table.rule("eth_blockNumber"));
    assertEquals(20, table.rule("eth_call").computeUnits());
    assertEquals(80, table.rule("eth_getLogs").computeUnits());
    assertEquals(Routing.STICKY, table.rule("eth_subscribe").routing());
    assertEquals(Routing.STICKY, table.rule("eth_getFilterChanges").routing());
    assertEquals(Routing.BROADCAST, table.rule("eth_sendRawTransaction").routing());
    assertEquals(Routing.LOCAL, table.rule("eth_chainId").routing());
    assertEquals(Routing.LOCAL, table.rule("web3_clientVersion").routing());
  }

  @Test
  void deniedNamespacesAndUnknownNamespacesAreNotAllowed() {
    for (String method : new String[] {"admin_peers", "debug_traceCall", "personal_sign", "miner_stop", "txpool_status",
        "engine_forkchoiceUpdatedV3", "anvil_mine", "evm_snapshot", "eth_sendTransaction", "shh_post", "x"}) {
      assertFalse(table.rule(method).allowed(), method);
    }
  }

  @Test
  void newMethodsInAllowedNamespacesPassWithDefaults() {
    MethodRule rule = table.rule("eth_someFutureMethod");
    assertTrue(rule.allowed());
    assertEquals(20, rule.computeUnits());
    assertEquals(Routing.ANY, rule.routing());
    assertEquals("eth_someFutureMethod", rule.method());
  }

  @Test
  void strictProfileAsksQuorumForStateReadsOnly() {
    MethodTable strict = MethodTable.load("eip155", "strict");
    assertEquals(2, strict.rule("eth_call").quorum());
    assertEquals(2, strict.rule("eth_getBalance").quorum());
    assertEquals(20, strict.rule("eth_call").computeUnits(), "profiles override only what they name");
    assertEquals(1, strict.rule("eth_blockNumber").quorum());
    assertEquals(1, table.rule("eth_call").quorum());
  }

  @Test
  void badTablesAndNamesAreRefusedNamingTheKey() {
    assertThrows(IllegalArgumentException.class, () -> MethodTable.load("eip155", "nonesuch"));
    assertEquals("no method table for chain family 'cosmos'",
        assertThrows(IllegalArgumentException.class, () -> MethodTable.load("cosmos")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> MethodTable.load("../etc"));
    assertEquals("method table t.json: methods.eth_call.routing must be one of ANY, STICKY, BROADCAST, LOCAL",
        parseError("{\"family\":\"x\",\"methods\":{\"eth_call\":{\"routing\":\"SOMETIMES\"}}}"));
    assertEquals("method table t.json: methods.eth_call.quorum must be an integer >= 1",
        parseError("{\"family\":\"x\",\"methods\":{\"eth_call\":{\"quorum\":0}}}"));
    assertEquals("method table t.json: methods.eth_call.cu is not a known key",
        parseError("{\"family\":\"x\",\"methods\":{\"eth_call\":{\"cu\":3}}}"));
    assertEquals("method table t.json: extra is not a known key", parseError("{\"family\":\"x\",\"extra\":1}"));
  }

  private static String parseError(String json) {
    return assertThrows(IllegalArgumentException.class,
        () -> MethodTable.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), MethodTable.DEFAULT_PROFILE, "t.json"))
        .getMessage();
  }
}
