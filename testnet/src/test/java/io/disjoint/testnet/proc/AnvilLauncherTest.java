package io.disjoint.testnet.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.testnet.Fixture;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AnvilLauncherTest {

  @Test
  void startsAnvilOnLoopbackMinesAndStopsIt(@TempDir Path dir) {
    AnvilLauncher launcher = AnvilLauncher.fromFixture(Fixture.require());
    AnvilLauncher.Anvil anvil = launcher.start(AnvilLauncher.Options.defaults().withPremine(12), dir.resolve("anvil.log"));
    try {
      assertEquals("0x7a69", anvil.rpc().result("eth_chainId", "[]").asText());
      assertEquals(12, anvil.rpc().blockNumber());
      anvil.mine(3);
      assertEquals(15, anvil.rpc().blockNumber());
      assertTrue(anvil.process().isAlive());
    } finally {
      anvil.close();
    }
    assertFalse(anvil.process().isAlive(), "anvil must be stopped by close()");
    assertFalse(anvil.rpc().awaitAnswer("eth_chainId", java.time.Duration.ofMillis(300)));
  }
}
