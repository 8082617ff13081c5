package io.disjoint.relay.select;

import static io.disjoint.relay.select.RouterFixture.AWS;
import static io.disjoint.relay.select.RouterFixture.GCP;
import static io.disjoint.relay.select.RouterFixture.domain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.relay.directory.FailureDomain;
import io.disjoint.relay.route.MethodRule;
import io.disjoint.relay.route.RouteException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Failure domains that share a hosting provider or a known origin ASN count as one for diversity:
 * a quorum never takes two peers of one provider (or of one network) as independent, broadcasts
 * prefer other providers, and hedges and failovers go to another provider before another region
 * of the same one. Before this, any differing field (an operator, a region) made two domains
 * "different".
 */
class CorrelatedDomainsTest {
  /** Same provider and ASN as AWS, every other field different. */
  private static final FailureDomain AWS_OTHER = domain("aws", "eu-west-1", "ie", "op9", 16509);
  /** Another provider name on AWS's network (a reseller): correlated through the ASN. */
  private static final FailureDomain RESELLER_ON_AWS = domain("cheapvps", "eu-west-1", "ie", "op8", 16509);
  private static final MethodRule QUORUM2 = RouterFixture.rule("eth_call", MethodRule.Routing.ANY, 2);

  @Test
  void correlationIsASharedProviderOrASharedKnownAsn() {
    assertTrue(AWS.correlatedWith(AWS_OTHER));
    assertTrue(AWS.correlatedWith(RESELLER_ON_AWS), "same ASN, different provider name");
    assertFalse(AWS.correlatedWith(GCP));
    FailureDomain undeclaredA = domain("unknown", "r1", "us", "op1", 0);
    FailureDomain undeclaredB = domain("unknown", "r2", "de", "op2", 0);
    assertTrue(undeclaredA.correlatedWith(undeclaredB), "unknown providers are the worst case: shared");
    assertFalse(domain("ovh", "gra", "fr", "op1", 0).correlatedWith(domain("scaleway", "par", "fr", "op2", 0)),
        "an unknown ASN alone does not correlate two known, different providers");
  }

  @Test
  void aQuorumNeverCountsTwoPeersOfOneProviderAsIndependent() {
    RouterFixture f = new RouterFixture();
    f.peer("aws-1", AWS, 100);
    f.peer("aws-2", AWS_OTHER, 100);
    f.peer("reseller", RESELLER_ON_AWS, 100);
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> f.router.route(f.request("eth_call", "[{},\"0x64\"]", QUORUM2)).join());
    RouteException re = assertInstanceOf(RouteException.class, e.getCause());
    assertTrue(re.getMessage().contains("needs 2 peers in different failure domains; 1 available (domains sharing a provider"
        + " or ASN count as one)"), re.getMessage());
    assertEquals(0, f.transport.calls.size(), "nobody was asked: two AWS answers prove nothing");

    f.peer("gcp", GCP, 100);
    for (int i = 0; i < 40; i++) {
      int before = f.transport.calls.size();
      f.router.route(f.request("eth_call", "[{},\"0x64\"]", QUORUM2)).join();
      Set<String> asked = new HashSet<>(f.transport.peersCalled().subList(before, f.transport.calls.size()));
      assertTrue(asked.contains("gcp") && asked.size() == 2, "one AWS-network peer and GCP: " + asked);
    }
  }

  @Test
  void aFailoverGoesToAnotherProviderBeforeAnotherRegionOfTheSameOne() {
    // The failed primary is AWS us-east-1. AWS eu-west-1 differs from it in three dimensions, GCP
    // us-east-1 (same region name, country and operator) in two: by distance alone the failover
    // went to AWS again.
    FailureDomain gcpSameRegionName = domain("gcp", "us-east-1", "us", "op1", 15169);
    RouterFixture f = new RouterFixture(RouterConfig.builder().hedging(false).probationShare(0).build(), 3);
    f.peer("aws-1", AWS, 100);
    f.peer("aws-2", AWS_OTHER, 100);
    f.peer("gcp", gcpSameRegionName, 100);
    f.transport.set("aws-1", f.transport.error(-32000, "upstream unavailable"));
    f.transport.set("aws-2", f.transport.error(-32000, "upstream unavailable"));
    int failovers = 0;
    for (int i = 0; i < 30; i++) {
      int before = f.transport.calls.size();
      f.router.route(f.read("eth_blockNumber")).join();
      List<String> asked = f.transport.peersCalled().subList(before, f.transport.calls.size());
      if (asked.get(0).startsWith("aws")) {
        failovers++;
        assertEquals("gcp", asked.get(1), "after an AWS failure the next attempt leaves AWS: " + asked);
      }
    }
    assertTrue(failovers > 0, "some primaries were AWS");
  }

  @Test
  void aBroadcastStillReachesItsFanoutWithCorrelatedDomainsLast() {
    RouterFixture f = new RouterFixture();
    f.peer("aws-1", AWS, 100);
    f.peer("aws-2", AWS_OTHER, 100);
    f.peer("gcp", GCP, 100);
    f.router.route(f.request("eth_sendRawTransaction", "[\"0x01\"]",
        RouterFixture.rule("eth_sendRawTransaction", MethodRule.Routing.BROADCAST, 1))).join();
    assertEquals(Set.of("aws-1", "aws-2", "gcp"), Set.copyOf(f.transport.peersCalled()),
        "three copies beat two: the correlated peer fills the fanout");
  }
}
