package io.disjoint.node.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.disjoint.node.DataDir;
import io.disjoint.node.receipts.ReceiptsReport;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.host.HostConfig;
import io.disjoint.p2p.host.Libp2pHost;
import io.disjoint.p2p.multiaddr.Multiaddr;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.store.EpochPayerTotals;
import io.disjoint.staking.store.ReceiptStore;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serving node's receipts turn into running-total vouchers signed by the gateway, over
 * "/disjoint/voucher/1.0.0" between two real hosts, recorded in a real receipt store.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VoucherWiringTest {
  private static final String CHAIN = "eip155:31337";

  @Test
  void receiptsOverTheThresholdAreVoucheredByTheirGateway(@TempDir Path dir) throws Exception {
    Clock now = Clock.systemUTC();
    Clock twoMinutesAgo = Clock.fixed(Instant.now().minusSeconds(120), ZoneOffset.UTC);
    PrivKey gatewayKey = KeyFiles.loadOrCreate(dir.resolve("gw.key"), KeyType.ED25519);
    PrivKey nodeKey = KeyFiles.loadOrCreate(dir.resolve("node.key"), KeyType.ED25519);
    ReceiptSigner signer = new ReceiptSigner(gatewayKey, PaymentWiring.NETWORK,
        KeyDerivedSigners.accountOf(Bytes.wrap(gatewayKey.publicKey().marshal())), PaymentWiring.EPOCHS, twoMinutesAgo, new Random(5));
    AttestationSigner attest = new AttestationSigner(nodeKey, PaymentWiring.NETWORK);
    Libp2pHost gateway = new Libp2pHost(gatewayKey, HostConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
    Libp2pHost node = new Libp2pHost(nodeKey, HostConfig.defaults());
    ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    try (ReceiptStore store = PaymentWiring.openStore(new DataDir(dir.resolve("data")))) {
      gateway.start().get(10, TimeUnit.SECONDS);
      node.start().get(10, TimeUnit.SECONDS);
      VoucherWiring.serveGateway(gateway, gatewayKey, blocking, now);
      node.dial(gateway.listenAddrs().get(0).withPeerId(gateway.peerId())).get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 30; i++) {
        PaymentReceipt r = signer.issue(nodeKey.publicKey().peerId(), CHAIN, new byte[32], 20,
            PaymentWiring.PRICE_PER_COMPUTE_UNIT.multiply(BigInteger.valueOf(20)));
        store.append(r, attest.attest(r, new byte[32], 1, new byte[32])).get();
      }
      try (VoucherWiring.Collector collector = new VoucherWiring.Collector(node, store,
          BigInteger.valueOf(100_000_000_000L), Duration.ofSeconds(60), Duration.ofHours(1), timers, blocking, now)) {
        assertEquals(1, collector.collectOnce(), "30 receipts of 20 gwei each pass the 100 gwei threshold");
        // the receipts may straddle an hourly epoch boundary: look at every (epoch, payer) row
        assertEquals(30, vouchered(store));
        store.summary().forEach(r -> assertEquals(EpochPayerTotals.VoucherState.COMPLETE, r.voucherState()));
        EpochPayerTotals row = store.summary().get(0);
        assertEquals(0, collector.collectOnce(), "nothing left to voucher");

        ReceiptSigner later = new ReceiptSigner(gatewayKey, PaymentWiring.NETWORK,
            KeyDerivedSigners.accountOf(Bytes.wrap(gatewayKey.publicKey().marshal())), PaymentWiring.EPOCHS,
            Clock.fixed(Instant.now().minusSeconds(100), ZoneOffset.UTC), new Random(6));
        // These ten travelled unsigned under one gateway receipt batch (the default): the gateway
        // vouches for them on the batch signature and each receipt's path (request v2).
        java.util.List<PaymentReceipt> batched = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
          batched.add(later.issueUnsigned(nodeKey.publicKey().peerId(), CHAIN, new byte[32], 20,
              PaymentWiring.PRICE_PER_COMPUTE_UNIT.multiply(BigInteger.valueOf(20))));
        }
        io.disjoint.staking.receipt.ReceiptBatchMessage batch = later.signBatch(Bytes.wrap(nodeKey.publicKey().peerId().bytes()), 1,
            batched.stream().map(PaymentReceipt::id).toList());
        long batchEpoch = batched.get(batched.size() - 1).epoch();
        store.recordBatch(batchEpoch, batch).get();
        for (int i = 0; i < batched.size(); i++) {
          PaymentReceipt r = batched.get(i);
          store.appendBatched(r, attest.attest(r, new byte[32], 1, new byte[32]),
              new io.disjoint.staking.store.BatchRef(batchEpoch, batch.batch().id(), i)).get();
        }
        assertEquals(1, collector.collectOnce(), "the next batch gets the next voucher");
        assertEquals(40, vouchered(store));
        assertEquals(2L, store.latestVoucher(row.payer()).orElseThrow().getKey(), "voucher sequence 2");
      }
    } finally {
      node.stop().get(10, TimeUnit.SECONDS);
      gateway.stop().get(10, TimeUnit.SECONDS);
      blocking.shutdownNow();
      timers.shutdownNow();
    }
    assertEquals(40, ReceiptsReport.read(new DataDir(dir.resolve("data"))).rows().stream()
        .mapToLong(EpochPayerTotals::voucheredCount).sum());
  }

  private static long vouchered(ReceiptStore store) {
    return store.summary().stream().mapToLong(EpochPayerTotals::voucheredCount).sum();
  }
}
