package io.disjoint.p2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.yamux.YamuxConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HostConfigTest {

  @Test
  void defaultsMatchTheDocumentedLimits() {
    HostConfig c = HostConfig.defaults();
    assertEquals(8, c.maxConnectionsPerPeer());
    assertEquals(8, c.maxConnectionsPerIp());
    assertTrue(c.loopbackExemptFromIpLimit());
    assertEquals(256, c.maxInboundStreamsPerPeer());
    assertEquals(Duration.ofSeconds(10), c.handshakeTimeout());
    assertTrue(c.agentVersion().startsWith("disjoint/"));
    assertTrue(c.listenAddrs().isEmpty());
    YamuxConfig y = c.yamuxConfig();
    assertEquals(256, y.maxInboundStreams());
    assertEquals(16 * 1024 * 1024, y.maxStreamWindow());
  }

  @Test
  void validationNamesTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HostConfig.builder().maxConnectionsPerIp(0).build());
    assertTrue(e.getMessage().contains("maxConnectionsPerIp"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> HostConfig.builder().handshakeTimeout(Duration.ZERO).build());
    assertTrue(e.getMessage().contains("handshakeTimeout"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> HostConfig.builder().listen("/ip4/127.0.0.1/udp/5").build());
    assertTrue(e.getMessage().contains("listen"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> HostConfig.builder().streamMemoryBudget(1024).build());
    assertTrue(e.getMessage().contains("streamMemoryBudget"), e.getMessage());
  }

  @Test
  void toBuilderKeepsEverySetting() {
    HostConfig c = HostConfig.builder().listen("/ip4/127.0.0.1/tcp/0").maxConnections(3)
        .loopbackExemptFromIpLimit(false).idleTimeout(Duration.ZERO).agentVersion("x/1").build();
    assertEquals(c, c.toBuilder().build());
  }
}
