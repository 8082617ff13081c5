package io.disjoint.testnet.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.relay.eth.Address;
import io.disjoint.testnet.TestnetException;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutBlockedTest {
  @Test
  void nodesCarryTheirJurisdictionsBlockedListThroughRepeats() {
    Layout l = Layout.parse("""
        [[node]]
        name = "us"
        domain = "provider=aws,country=US"
        blocked = ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"]
        [[node]]
        name = "de"
        domain = "provider=gcp,country=DE"
        """, "test");
    assertEquals(List.of(Address.fromHex("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")), l.nodes().get(0).blocked());
    assertEquals(List.of(), l.nodes().get(1).blocked());
    Layout four = l.withNodeCount(4);
    assertEquals("us-2", four.nodes().get(2).name());
    assertEquals(l.nodes().get(0).blocked(), four.nodes().get(2).blocked());
  }

  @Test
  void aBadAddressNamesTheNode() {
    TestnetException e = assertThrows(TestnetException.class, () -> Layout.parse("""
        [[node]]
        name = "us"
        blocked = ["0x1234"]
        """, "--layout x.toml"));
    assertTrue(e.getMessage().startsWith("--layout x.toml [[node]] #1"), e.getMessage());
  }
}
