package io.disjoint.node.payment;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.node.config.ConfigException;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.node.config.NodeConfigFile;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --receipt-batch / receipt-batch: batched gateway signatures on by default, off on request, kept across settings. */
class ReceiptBatchSettingTest {
  @Test
  void batchingIsOnByDefaultAndOffOnRequestEvenWhenSamplingIsSetAfterwards(@TempDir Path dir) {
    NodeConfig defaults = NodeConfig.builder().dataDir(dir).build();
    assertTrue(defaults.receiptSampling().batchSignatures());
    NodeConfig off = NodeConfig.builder().dataDir(dir).receiptBatch("off", "--receipt-batch")
        .receiptSampling(16, null, null).build();
    assertFalse(off.receiptSampling().batchSignatures(), "setting the sampling keeps the batch setting");
    PrivKey key = KeyFiles.loadOrCreate(dir.resolve("gw.key"), KeyType.ED25519);
    assertFalse(PaymentWiring.gateway(key, Clock.systemUTC(), off.receiptSampling()).batching());
    assertTrue(PaymentWiring.gateway(key, Clock.systemUTC(), defaults.receiptSampling()).batching());
    ConfigException bad = assertThrows(ConfigException.class,
        () -> NodeConfig.builder().receiptBatch("maybe", "--receipt-batch"));
    assertTrue(bad.getMessage().contains("--receipt-batch"), bad.getMessage());
  }

  @Test
  void theConfigFileKeyTurnsItOff(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.toml");
    Files.writeString(file, "data-dir = \"" + dir.resolve("data").toString().replace("\\", "/") + "\"\nreceipt-batch = \"off\"\n");
    assertFalse(NodeConfigFile.load(file).build().receiptSampling().batchSignatures());
    Files.writeString(file, "receipt-batch = \"sometimes\"\n");
    ConfigException bad = assertThrows(ConfigException.class, () -> NodeConfigFile.load(file));
    assertTrue(bad.getMessage().contains("receipt-batch"), bad.getMessage());
  }
}
