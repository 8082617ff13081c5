package io.disjoint.testnet.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.node.config.DomainClaim;
import io.disjoint.testnet.TestnetException;
import org.junit.jupiter.api.Test;

class LayoutTest {

  @Test
  void defaultLayoutSpansProvidersCountriesAndOperators() {
    Layout l = Layout.defaultLayout();
    assertEquals("eip155:31337", l.chain());
    assertEquals(6, l.nodes().size());
    assertTrue(l.distinct(DomainClaim::provider) >= 3, "providers");
    assertTrue(l.distinct(DomainClaim::country) >= 2, "countries");
    assertTrue(l.distinct(DomainClaim::operator) >= 3, "operators");
    assertEquals("gateway", l.gateway().name());
  }

  @Test
  void nodeCountTruncatesAndCyclesKeepingDomains() {
    Layout l = Layout.defaultLayout();
    assertEquals(3, l.withNodeCount(3).nodes().size());
    Layout eight = l.withNodeCount(8);
    assertEquals(8, eight.nodes().size());
    assertEquals(l.nodes().get(0).name() + "-2", eight.nodes().get(6).name());
    assertEquals(l.nodes().get(1).domain(), eight.nodes().get(7).domain());
    assertThrows(TestnetException.class, () -> l.withNodeCount(0));
  }

  @Test
  void badLayoutsSayWhatIsWrong() {
    TestnetException e = assertThrows(TestnetException.class,
        () -> Layout.parse("chain = \"eip155:1\"\n", "x.toml"));
    assertTrue(e.getMessage().contains("no [[node]]"), e.getMessage());
    e = assertThrows(TestnetException.class, () -> Layout.parse("""
        [[node]]
        name = "a"
        domain = "provider=aws,cloud=x"
        """, "x.toml"));
    assertTrue(e.getMessage().startsWith("x.toml [[node]] #1"), e.getMessage());
    assertTrue(e.getMessage().contains("cloud"), e.getMessage());
    e = assertThrows(TestnetException.class, () -> Layout.parse("""
        [[node]]
        name = "a"
        [[node]]
        name = "a"
        """, "x.toml"));
    assertTrue(e.getMessage().contains("twice"), e.getMessage());
    e = assertThrows(TestnetException.class, () -> Layout.parse("chain = \"eth\"\n[[node]]\nname = \"a\"\n", "x.toml"));
    assertTrue(e.getMessage().contains("CAIP-2"), e.getMessage());
  }
}
