package io.disjoint.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  @Test
  void defaultsAreGeths() {
    GatewayConfig config = GatewayConfig.builder().chain("eip155:1").build();
    assertEquals(1_000, config.maxBatchSize());
    assertEquals(5 * 1024 * 1024, config.maxBodyBytes());
    assertEquals(25_000_000L, config.maxResponseBytes());
    assertEquals(Duration.ofSeconds(30), config.requestTimeout());
  }

  @Test
  void invalidSettingsNameTheirKey() {
    assertEquals("gateway.chains: 'mainnet' is not a CAIP-2 chain id such as eip155:1",
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.builder().chain("mainnet").build()).getMessage());
    assertEquals("gateway.aliases: 'eth' points at eip155:5, which is not in gateway.chains",
        assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.builder().chain("eip155:1").alias("eth", "eip155:5").build()).getMessage());
    assertEquals("gateway.aliases: 'health' is not usable as a path",
        assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.builder().chain("eip155:1").alias("health", "eip155:1").build()).getMessage());
    assertEquals("gateway.maxBatchSize must be > 0, was 0",
        assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.builder().chain("eip155:1").maxBatchSize(0).build()).getMessage());
    assertEquals("gateway.idleTimeout must be longer than gateway.requestTimeout",
        assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.builder().chain("eip155:1").requestTimeout(Duration.ofMinutes(5)).build()).getMessage());
  }
}
