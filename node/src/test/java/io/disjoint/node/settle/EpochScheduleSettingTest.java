package io.disjoint.node.settle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.node.config.ConfigException;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.node.config.NodeConfigFile;
import io.disjoint.node.payment.PaymentWiring;
import io.disjoint.staking.receipt.EpochSchedule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The node's epoch schedule, which settlement needs to equal the ledger's: flag, config key, default. */
class EpochScheduleSettingTest {
  private static NodeConfig.Builder base() {
    return NodeConfig.builder().dataDir(Path.of("data")).listen("/ip4/127.0.0.1/tcp/0");
  }

  @Test
  void defaultIsTheHourlyScheduleAndSecondsCountFromTheUnixEpoch() {
    assertEquals(EpochSchedule.HOURLY, base().build().epochs());
    assertEquals(PaymentWiring.EPOCHS, base().build().epochs());
    assertEquals(new EpochSchedule(0, 5_000), base().epochSeconds(5).build().epochs());
    assertEquals(new EpochSchedule(0, 60_000), base().epochSeconds(60).build().toBuilder().build().epochs(),
        "toBuilder keeps it");
  }

  @Test
  void outOfRangeNamesTheFlag() {
    ConfigException e = assertThrows(ConfigException.class, () -> base().epochSeconds(0));
    assertTrue(e.getMessage().startsWith("--epoch-seconds"), e.getMessage());
    assertThrows(ConfigException.class, () -> base().epochSeconds(400L * 24 * 3600));
  }

  @Test
  void configKeyEpochSeconds() {
    NodeConfig c = NodeConfigFile.parse("data-dir = \"d\"\nepoch-seconds = 30\n", "node.toml", null).build();
    assertEquals(new EpochSchedule(0, 30_000), c.epochs());
    ConfigException text = assertThrows(ConfigException.class,
        () -> NodeConfigFile.parse("data-dir = \"d\"\nepoch-seconds = \"hourly\"\n", "node.toml", null));
    assertTrue(text.getMessage().contains("epoch-seconds"), text.getMessage());
    ConfigException zero = assertThrows(ConfigException.class,
        () -> NodeConfigFile.parse("data-dir = \"d\"\nepoch-seconds = 0\n", "node.toml", null));
    assertTrue(zero.getMessage().contains("epoch-seconds"), zero.getMessage());
  }
}
