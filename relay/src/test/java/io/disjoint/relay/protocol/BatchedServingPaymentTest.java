package io.disjoint.relay.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.crypto.Ed25519PrivateKey;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.BatchedReceiptTracker;
import io.disjoint.staking.receipt.EpochSchedule;
import io.disjoint.staking.receipt.NetworkDomain;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptBatchMessage;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.RecentReceiptIds;
import io.disjoint.staking.receipt.SignatureSampler;
import io.disjoint.staking.receipt.SignerDirectory;
import io.disjoint.staking.receipt.VerifierConfig;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreConfig;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.tuweni.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving payment with batched receipts on a real RocksDB store and a stepped clock: receipts
 * stored once their batch arrives, a replayed batch ignored, a forged batch refusing its gateway
 * for good, a missing batch refusing it for {@link StakingServingPayment#UNBATCHED_SUSPENSION_MS}.
 */
class BatchedServingPaymentTest {
  private static final NetworkDomain NETWORK = new NetworkDomain("disjoint-test", 1);
  private static final String CHAIN = "eip155:31337";
  private static final byte[] BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x7\"}".getBytes(StandardCharsets.UTF_8);

  /** A clock tests move by hand. */
  private static final class SteppedClock extends Clock {
    final AtomicLong millis = new AtomicLong(Instant.parse("2026-11-23T18:00:00Z").toEpochMilli());

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  @TempDir Path dir;
  private final SteppedClock clock = new SteppedClock();
  private final PrivKey gatewayKey = Ed25519PrivateKey.fromSeed(new byte[32]);
  private final PrivKey nodeKey = Ed25519PrivateKey.fromSeed(Sha256.hash(new byte[] {1}).toArray());
  private final String gatewayPeer = gatewayKey.publicKey().peerId().toBase58();
  private final Account payer = Account.named("payer");
  private final ReceiptSigner gateway = new ReceiptSigner(gatewayKey, NETWORK, payer, EpochSchedule.HOURLY, clock, new Random(1));
  private ReceiptStore store;
  private StakingServingPayment serving;

  @BeforeEach
  void open() {
    store = ReceiptStore.open(dir, NETWORK.networkId(), StoreConfig.DEFAULTS);
    SignerDirectory signers = (p, key, now) -> p.equals(payer) && key.equals(Bytes.wrap(gatewayKey.publicKey().marshal()))
        ? SignerDirectory.SignerStatus.ACTIVE : SignerDirectory.SignerStatus.UNKNOWN;
    BatchedReceiptTracker tracker = new BatchedReceiptTracker(NETWORK, nodeKey.publicKey().peerId(), clock, Duration.ofSeconds(1));
    ReceiptVerifier verifier = new ReceiptVerifier(VerifierConfig.defaults(NETWORK, EpochSchedule.HOURLY),
        nodeKey.publicKey().peerId(), signers, new RecentReceiptIds(store::contains, clock, 120_000),
        p -> store.unvoucheredValue(p).add(tracker.pendingValue(p)), clock);
    serving = StakingServingPayment.deferred(verifier, new AttestationSigner(nodeKey, NETWORK), store, Runnable::run,
        SignatureSampler.everyReceipt(), tracker);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Serves {@code n} unsigned receipts; returns them. */
  private List<PaymentReceipt> serve(int n) {
    List<PaymentReceipt> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PaymentReceipt r = gateway.issueUnsigned(nodeKey.publicKey().peerId(), CHAIN, Sha256.hash(BODY).toArray(), 10,
          BigInteger.valueOf(1_000));
      serving.admit(gatewayPeer, new RelayRequest(i, CHAIN, BODY, clock.millis() + 5_000, r.encode(), false))
          .settle(ANSWER, 7, new byte[32]);
      out.add(r);
      clock.millis.addAndGet(1);
    }
    return out;
  }

  private ReceiptBatchMessage batchOf(List<PaymentReceipt> receipts, long sequence) {
    return gateway.signBatch(Bytes.wrap(nodeKey.publicKey().peerId().bytes()), sequence,
        receipts.stream().map(PaymentReceipt::id).toList());
  }

  private long stored() throws InterruptedException {
    long until = System.nanoTime() + 5_000_000_000L;
    long[] n = {0};
    do {
      n[0] = 0;
      store.forEachReceipt(r -> n[0]++);
      if (n[0] == serving.storedBatched()) {
        break;
      }
      Thread.sleep(5);
    } while (System.nanoTime() < until);
    return n[0];
  }

  @Test
  void receiptsAreStoredOnceTheirBatchArrivesAndAReplayedBatchChangesNothing() throws Exception {
    List<PaymentReceipt> served = serve(3);
    assertEquals(0, serving.storedBatched(), "answered, waiting for the batch");
    ReceiptBatchMessage batch = batchOf(served, 1);
    serving.acceptBatch(gatewayPeer, batch.encode());
    assertEquals(3, serving.storedBatched());
    assertEquals(3, stored());
    serving.acceptBatch(gatewayPeer, batch.encode());
    assertEquals(1, serving.batchReplays());
    assertEquals(3, serving.storedBatched(), "nothing stored twice");
    assertEquals(0, serving.batchFaults());
    serve(1);
  }

  @Test
  void aForgedBatchRefusesItsGatewayForGood() {
    List<PaymentReceipt> served = serve(2);
    ReceiptBatchMessage batch = batchOf(served, 1);
    byte[] sig = batch.batch().signature().toArray();
    sig[3] ^= 1;
    serving.acceptBatch(gatewayPeer, new ReceiptBatchMessage(batch.batch().withSignature(Bytes.wrap(sig)),
        batch.receiptIds()).encode());
    assertEquals(1, serving.batchFaults());
    assertEquals(0, serving.storedBatched());
    clock.millis.addAndGet(StakingServingPayment.UNBATCHED_SUSPENSION_MS * 10);
    PaymentRejectedException e = assertThrows(PaymentRejectedException.class, () -> serve(1));
    assertTrue(e.getMessage().contains("forged or foreign"), e.getMessage());
  }

  @Test
  void aMissingBatchSuspendsItsGatewayForAMinuteThenItIsServedAgain() {
    serve(2);
    clock.millis.addAndGet(1_000);
    serving.sweepBatches();
    assertEquals(1, serving.batchFaults(), "the two unbatched receipts fault their gateway once per sweep");
    PaymentRejectedException e = assertThrows(PaymentRejectedException.class, () -> serve(1));
    assertTrue(e.getMessage().contains("no receipt batch"), e.getMessage());
    clock.millis.addAndGet(StakingServingPayment.UNBATCHED_SUSPENSION_MS);
    List<PaymentReceipt> again = serve(1);
    serving.acceptBatch(gatewayPeer, batchOf(again, 2).encode());
    assertEquals(1, serving.storedBatched(), "served and paid again after the suspension");
  }
}
