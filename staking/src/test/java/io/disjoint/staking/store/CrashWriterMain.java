package io.disjoint.staking.store;

import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.PaymentReceipt;
import io.disjoint.staking.receipt.ReceiptSigner;
import io.disjoint.staking.receipt.ResponseAttestation;
import io.disjoint.staking.testing.Fixtures;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * Child process of {@link ReceiptStoreCrashTest}: appends receipts as fast as it can and prints
 * "id contentHash" for each one only after its append future completed (i.e. it is durable).
 * Runs until killed. Args: data dir, payer name, group-commit linger in ms.
 */
public final class CrashWriterMain {
  private CrashWriterMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Account payer = Account.named(args[1]);
    StoreConfig config = StoreConfig.DEFAULTS.withLinger(Duration.ofMillis(Long.parseLong(args[2])));
    ReceiptStore store = ReceiptStore.open(dir, "disjoint-test", config);
    ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
    Thread printer = new Thread(() -> {
      try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII), 1 << 16)) {
        while (true) {
          String line;
          boolean any = false;
          while ((line = acked.poll()) != null) {
            out.write(line);
            out.write('\n');
            any = true;
          }
          if (any) {
            out.flush();
          } else {
            Thread.onSpinWait();
            Thread.sleep(1);
          }
        }
      } catch (Exception e) {
        System.exit(3);
      }
    }, "printer");
    printer.start();
    for (int t = 0; t < 2; t++) {
      int thread = t;
      new Thread(() -> write(store, payer, thread, acked), "writer-" + t).start();
    }
    Thread.currentThread().join();
  }

  private static void write(ReceiptStore store, Account payer, int thread,
      ConcurrentLinkedQueue<String> acked) {
    ReceiptSigner signer = new ReceiptSigner(Fixtures.gatewayKey(), Fixtures.DOMAIN, payer,
        Fixtures.EPOCHS, Clock.systemUTC(), new SecureRandom());
    Semaphore inFlight = new Semaphore(4096);
    for (long i = 0; ; i++) {
      PaymentReceipt r = Fixtures.receipt(signer, (int) (i * 2 + thread));
      ResponseAttestation a = Fixtures.attest(r);
      String line = r.id().toUnprefixedHexString() + " " + contentHash(r, a);
      inFlight.acquireUninterruptibly();
      store.append(r, a).whenComplete((ok, err) -> {
        inFlight.release();
        if (err == null) {
          acked.add(line);
        }
      });
    }
  }

  static String contentHash(PaymentReceipt r, ResponseAttestation a) {
    return Sha256.hash(r.encode(), a.encode()).toUnprefixedHexString();
  }
}
