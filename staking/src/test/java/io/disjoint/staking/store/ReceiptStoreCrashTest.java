package io.disjoint.staking.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.disjoint.staking.receipt.Account;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.tuweni.bytes.Bytes32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After RocksDB's own crash test: a child JVM appends receipts as fast as it can and is killed
 * with SIGKILL at random moments, 20 times, on the same directory. The test keeps what the child
 * acknowledged (printed after the append future completed) and after each restart checks that
 * every acknowledged receipt is present and byte-for-byte unchanged, that every stored receipt
 * decodes and has its seen-index entry (no partial record), and that totals match the receipts.
 * Runs alternate between group commit without linger and with a 5 ms linger.
 */
class ReceiptStoreCrashTest {
  private static final int KILLS = 20;

  @TempDir Path dir;

  /** id -> content hash, and which payer (run) wrote it. */
  private final Map<Bytes32, String> acknowledged = new ConcurrentHashMap<>();

  @Test
  void noAcknowledgedReceiptIsLostAcrossTwentySigkills() throws Exception {
    Random random = new Random(20261123);
    String java = ProcessHandle.current().info().command().orElse("java");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
    for (int run = 0; run < KILLS; run++) {
      if (System.nanoTime() > deadline) {
        fail("crash test exceeded its time budget at run " + run);
      }
      String payerName = "crash-" + run;
      Map<Bytes32, String> thisRun = new ConcurrentHashMap<>();
      String lingerMs = run % 2 == 0 ? "0" : "5";
      Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          CrashWriterMain.class.getName(), dir.toString(), payerName, lingerMs)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      AtomicInteger lines = new AtomicInteger();
      Thread reader = new Thread(() -> readAcks(child, thisRun, lines));
      reader.start();
      try {
        long waitStart = System.nanoTime();
        while (lines.get() == 0 && child.isAlive()
            && System.nanoTime() - waitStart < TimeUnit.SECONDS.toNanos(20)) {
          Thread.sleep(5);
        }
        assertTrue(lines.get() > 0, "child acknowledged nothing in run " + run);
        Thread.sleep(50 + random.nextInt(700));
      } finally {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
      reader.join(10_000);
      assertEquals(137, child.exitValue(), "child was SIGKILLed");
      acknowledged.putAll(thisRun);
      verify(Account.named(payerName), thisRun);
    }
    // every acknowledgement of every run survived all the later crashes too
    try (ReceiptStore store = ReceiptStore.openReadOnly(dir)) {
      Map<Bytes32, String> found = new HashMap<>();
      store.forEachReceipt(s -> found.put(s.id(),
          CrashWriterMain.contentHash(s.receipt(), s.attestation())));
      for (Map.Entry<Bytes32, String> e : acknowledged.entrySet()) {
        assertEquals(e.getValue(), found.get(e.getKey()), "acknowledged receipt " + e.getKey());
      }
      assertTotalsMatch(store);
      System.out.println("crash test: " + acknowledged.size() + " acknowledged receipts over "
          + KILLS + " SIGKILLs, " + found.size() + " stored, none lost");
    }
  }

  private static void readAcks(Process child, Map<Bytes32, String> into, AtomicInteger lines) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] parts = line.split(" ");
        // a line cut by the kill is not an acknowledgement we can rely on: skip it
        if (parts.length == 2 && parts[0].length() == 64 && parts[1].length() == 64) {
          into.put(Bytes32.fromHexString(parts[0]), parts[1]);
          lines.incrementAndGet();
        }
      }
    } catch (Exception ignored) {
      // the child died; what was read is what was acknowledged
    }
  }

  private void verify(Account payer, Map<Bytes32, String> thisRun) {
    // a read-write open runs RocksDB's recovery exactly as the restarted node would
    try (ReceiptStore store = ReceiptStore.open(dir, "disjoint-test", StoreConfig.DEFAULTS)) {
      Map<Bytes32, String> stored = new HashMap<>();
      for (EpochPayerTotals t : store.summary()) {
        if (!t.payer().equals(payer)) {
          continue;
        }
        List<StoredReceipt> rs = store.receipts(t.epoch(), payer, -1, Integer.MAX_VALUE);
        long cu = 0;
        BigInteger value = BigInteger.ZERO;
        for (StoredReceipt s : rs) {
          assertTrue(store.contains(t.epoch(), s.id()), "seen index entry for " + s.id());
          stored.put(s.id(), CrashWriterMain.contentHash(s.receipt(), s.attestation()));
          cu += s.receipt().computeUnits();
          value = value.add(s.receipt().value());
        }
        assertEquals(rs.size(), t.receiptCount(), "count of " + payer + " epoch " + t.epoch());
        assertEquals(cu, t.computeUnits());
        assertEquals(value, t.value());
      }
      for (Map.Entry<Bytes32, String> e : thisRun.entrySet()) {
        assertEquals(e.getValue(), stored.get(e.getKey()), "acknowledged receipt " + e.getKey() + " of " + payer);
      }
      assertTrue(stored.size() >= thisRun.size());
    }
  }

  private static void assertTotalsMatch(ReceiptStore store) {
    Map<String, long[]> counted = new HashMap<>();
    store.forEachReceipt(s -> counted.computeIfAbsent(
        s.receipt().epoch() + "/" + s.receipt().payer(), k -> new long[2])[0]++);
    for (EpochPayerTotals t : store.summary()) {
      assertEquals(t.receiptCount(), counted.get(t.epoch() + "/" + t.payer())[0]);
    }
    assertEquals(counted.size(), store.summary().size());
  }
}
