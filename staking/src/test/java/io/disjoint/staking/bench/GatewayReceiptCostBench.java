package io.disjoint.staking.bench;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.receipt.AttestationSigner;
import io.disjoint.staking.receipt.BatchedReceiptTracker;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptBatchMessage;
import io.disjoint.staking.receipt.ReceiptBatcher;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ReceiptVerifier;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.receipt.Signatures;
import io.disjoint.staking.testing.Fixtures;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU per receipt of the receipt work on a paid relay, per-receipt signatures against batched
 * ones (docs/receipts.md, "Batched gateway signatures"), measured as this thread's CPU time
 * divided by receipts (survives a busy machine):
 *
 * <ul>
 *   <li>gateway: issue + encode a signed receipt, against issue + encode an unsigned one with the
 *       batch sealing (batch tree + one signature per batch) and encoding amortised over it;
 *   <li>node: verify one receipt signature, against decoding a batch message, checking its one
 *       signature and matching every listed receipt in the tracker.
 * </ul>
 *
 * <pre>
 * ./mvnw -q -B -o -pl staking test-compile exec:java \
 *   -Dexec.mainClass=io.disjoint.staking.bench.GatewayReceiptCostBench -Dexec.classpathScope=test \
 *   [-Dexec.args="RECEIPTS BATCH"]      (defaults: 200000 receipts, batches of 256)
 * </pre>
 */
public final class GatewayReceiptCostBench {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private GatewayReceiptCostBench() {}

  public static void main(String[] args) {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    Clock clock = Clock.systemUTC();
    PeerId node = Fixtures.nodeKey().peerId();
    ReceiptSigner signer = new ReceiptSigner(Fixtures.gatewayKey(), Fixtures.DOMAIN, Fixtures.PAYER, Fixtures.EPOCHS,
        clock, new SecureRandom());
    System.out.printf("gateway receipt cost: %,d receipts, batches of %d, %d cores, java %s%n", count, batch,
        Runtime.getRuntime().availableProcessors(), Runtime.version());
    for (int round = 0; round < 2; round++) {
      String label = round == 0 ? "warm-up" : "measured";
      double signedUs = perReceipt(count, () -> {
        for (int i = 0; i < count; i++) {
          signer.issue(node, "eip155:1", hash(i), 10, BigInteger.TEN).encode();
        }
      });
      ReceiptBatcher batcher = new ReceiptBatcher(signer, batch, Duration.ofHours(1), clock);
      List<byte[]> receipts = new ArrayList<>(count);
      List<byte[]> batches = new ArrayList<>(count / batch + 1);
      double batchedUs = perReceipt(count, () -> {
        for (int i = 0; i < count; i++) {
          receipts.add(batcher.issue(node, "eip155:1", hash(i), 10, BigInteger.TEN).encode());
          batcher.takeSealed(node).ifPresent(m -> batches.add(m.encode()));
        }
        batcher.flushAll().forEach(u -> batches.add(u.batch().encode()));
      });
      System.out.printf("%s gateway: signed receipt %.2f us/receipt, batched %.2f us/receipt (%d batches)%n", label,
          signedUs, batchedUs, batches.size());

      int verifyCount = Math.min(count, 20_000);
      List<PaymentReceipt> signed = new ArrayList<>(verifyCount);
      for (int i = 0; i < verifyCount; i++) {
        signed.add(signer.issue(node, "eip155:1", hash(i), 10, BigInteger.TEN));
      }
      double verifyUs = perReceipt(verifyCount, () -> {
        for (PaymentReceipt r : signed) {
          if (!Signatures.verify(r.signerKey(), r.signingBytes(), r.signature())) {
            throw new AssertionError("bad signature");
          }
        }
      });
      BatchedReceiptTracker tracker = new BatchedReceiptTracker(Fixtures.DOMAIN, node, clock, Duration.ofHours(1));
      AttestationSigner attest = new AttestationSigner(Fixtures.nodeKey(), Fixtures.DOMAIN);
      List<PaymentReceipt> decoded = new ArrayList<>(receipts.size());
      for (byte[] r : receipts) {
        PaymentReceipt p = ReceiptVerifier.decodeMaybeBatched(r);
        decoded.add(p);
        tracker.admitted("gw", p, p.id());
        ResponseAttestation a = attest.unsigned(p, new byte[32], 1, new byte[32]);
        tracker.answered(p.id(), a);
      }
      PeerId gateway = Fixtures.gatewayKey().peerId();
      int[] ready = {0};
      double matchUs = perReceipt(receipts.size(), () -> {
        for (byte[] b : batches) {
          ReceiptBatchMessage m = ReceiptBatchMessage.decode(b);
          tracker.checkBatch(gateway, m);
          ready[0] += tracker.onBatch("gw", m).ready().size();
        }
      });
      System.out.printf("%s node: verify one receipt signature %.2f us/receipt, batch check + match %.2f us/receipt"
          + " (%d matched)%n", label, verifyUs, matchUs, ready[0]);
    }
  }

  private static byte[] hash(int i) {
    byte[] h = new byte[32];
    h[0] = (byte) i;
    h[1] = (byte) (i >> 8);
    h[2] = (byte) (i >> 16);
    return h;
  }

  private static double perReceipt(int n, Runnable work) {
    long t0 = CPU.getCurrentThreadCpuTime();
    work.run();
    return (CPU.getCurrentThreadCpuTime() - t0) / 1e3 / n;
  }
}
