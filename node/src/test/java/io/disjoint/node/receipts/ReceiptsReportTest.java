package io.disjoint.node.receipts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.node.DataDir;
import io.disjoint.node.config.ConfigException;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptsReportTest {
  private static final NetworkDomain NET = new NetworkDomain("disjoint-test", 1);

  @Test
  void summarisesAStoreReadOnlyWhileTheWriterHasItOpen(@TempDir Path dir) throws Exception {
    DataDir data = new DataDir(dir);
    PrivKey gatewayKey = KeyFiles.loadOrCreate(dir.resolve("gw.key"), KeyType.ED25519);
    PrivKey nodeKey = KeyFiles.loadOrCreate(data.keyFile(), KeyType.ED25519);
    EpochSchedule epochs = new EpochSchedule(0, 60_000);
    Clock clock = Clock.fixed(Instant.ofEpochMilli(120_500), ZoneOffset.UTC);
    ReceiptSigner signer = new ReceiptSigner(gatewayKey, NET, Account.named("payer-a"), epochs, clock, new Random(7));
    AttestationSigner attest = new AttestationSigner(nodeKey, NET);
    try (ReceiptStore store = ReceiptStore.open(data.receipts(), NET.networkId(), StoreConfig.DEFAULTS)) {
      for (int i = 0; i < 5; i++) {
        PaymentReceipt r = signer.issue(nodeKey.publicKey().peerId(), "eip155:31337", new byte[32], 15, BigInteger.valueOf(150));
        store.append(r, attest.attest(r, new byte[32], 7, new byte[32])).get();
      }
      ReceiptsReport report = ReceiptsReport.read(data);
      assertEquals(5, report.receiptCount());
      assertEquals(75, report.computeUnits());
      assertEquals(BigInteger.valueOf(750), report.value());
      assertEquals(1, report.rows().size());
      assertEquals(2, report.rows().get(0).epoch());

      ByteArrayOutputStream table = new ByteArrayOutputStream();
      report.printTable(new PrintStream(table, true, StandardCharsets.UTF_8));
      String text = table.toString(StandardCharsets.UTF_8);
      assertTrue(text.contains(Account.named("payer-a").bytes().toHexString()), text);
      assertTrue(text.contains("total: 5 receipts, 75 compute units, value 750"), text);

      ByteArrayOutputStream json = new ByteArrayOutputStream();
      report.printJson(new PrintStream(json, true, StandardCharsets.UTF_8));
      JsonNode parsed = new ObjectMapper().readTree(json.toByteArray());
      assertEquals(5, parsed.path("total").path("receipts").asLong());
      assertEquals("none", parsed.path("rows").get(0).path("voucherState").asText());
    }
  }

  @Test
  void aDataDirWithoutReceiptsNamesTheFlag(@TempDir Path dir) {
    ConfigException e = assertThrows(ConfigException.class, () -> ReceiptsReport.read(new DataDir(dir)));
    assertTrue(e.getMessage().startsWith("--data-dir"), e.getMessage());
  }
}
