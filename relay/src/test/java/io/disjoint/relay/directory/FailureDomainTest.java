package io.disjoint.relay.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FailureDomainTest {
  @Test
  void parsesTheFlagFormat() {
    FailureDomain d = FailureDomain.parse("provider=aws,region=us-east-1,country=US,operator=op1,asn=16509");
    assertEquals(new FailureDomain("aws", "us-east-1", "us", "op1", 16509), d);
    assertEquals("provider=aws,region=us-east-1,country=US,operator=op1,asn=16509", d.toString());
    assertEquals(d, FailureDomain.parse(d.toString()), "toString round-trips");
    assertEquals(new FailureDomain("gcp", "unknown", "unknown", "unknown", 15169), FailureDomain.parse(" asn=AS15169 , provider=GCP"));
    assertEquals(FailureDomain.UNKNOWN, FailureDomain.parse(""));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "provider=aws,provider=gcp | given twice",
      "cloud=aws | unknown key 'cloud'",
      "provider | expected key=value",
      "asn=lots | asn 'lots' is not a number",
      "asn=0 | asn must be 1..4294967295",
      "country=USA | ISO 3166-1 alpha-2",
      "provider=a b | must be 1-64 characters"})
  void errorsNameTheFlag(String text, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FailureDomain.parse(text));
    assertTrue(e.getMessage().startsWith("--domain: "), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void unknownIsSharedWithEveryOtherUnknown() {
    FailureDomain u1 = FailureDomain.parse("region=us-east-1");
    FailureDomain u2 = FailureDomain.parse("region=eu-west-1");
    assertTrue(u1.shares(u2, FailureDomain.Dimension.PROVIDER), "two unknown providers may be the same one");
    assertFalse(u1.shares(u2, FailureDomain.Dimension.REGION));
    FailureDomain aws = FailureDomain.parse("provider=aws,region=us-east-1,country=US,operator=op1,asn=16509");
    FailureDomain gcp = FailureDomain.parse("provider=gcp,region=europe-west1,country=BE,operator=op2,asn=15169");
    assertEquals(5, aws.distance(gcp));
    assertEquals(0, aws.distance(aws));
    assertEquals(0, FailureDomain.UNKNOWN.distance(FailureDomain.UNKNOWN));
  }

  @Test
  void directoryKeepsNewestHelloAndRefreshesHeadsFromResponses() {
    Instant t0 = Instant.parse("2026-11-23T12:00:00Z");
    InMemoryPeerDirectory dir = new InMemoryPeerDirectory(Clock.fixed(t0, ZoneOffset.UTC));
    FailureDomain aws = FailureDomain.parse("provider=aws");
    FailureDomain gcp = FailureDomain.parse("provider=gcp");
    assertTrue(dir.applyHello("p", new HelloMessage(10, Map.of("eip155:1", 100L), aws)));
    assertFalse(dir.applyHello("p", new HelloMessage(9, Map.of("eip155:1", 5L), gcp)), "an older hello is ignored");
    assertEquals(aws, dir.domainOf("p").orElseThrow());
    assertEquals(100, dir.peersServing("eip155:1").get(0).head().number());
    dir.observeHead("p", "eip155:1", 120);
    assertEquals(120, dir.peersServing("eip155:1").get(0).head().number());
    assertTrue(dir.peersServing("eip155:8453").isEmpty());
    dir.putStatic("s", gcp, Set.of("eip155:1"));
    assertEquals(2, dir.peersServing("eip155:1").size());
    dir.disconnected("p");
    dir.disconnected("s");
    assertEquals(Set.of("s"), dir.peers(), "configured peers survive a disconnect");
  }

  @Test
  void helloValidatesItsFields() {
    assertThrows(IllegalArgumentException.class, () -> new HelloMessage(0, Map.of(), FailureDomain.UNKNOWN));
    assertThrows(IllegalArgumentException.class, () -> new HelloMessage(1, Map.of("", 1L), FailureDomain.UNKNOWN));
    assertThrows(IllegalArgumentException.class, () -> new HelloMessage(1, Map.of("eip155:1", -2L), FailureDomain.UNKNOWN));
  }
}
