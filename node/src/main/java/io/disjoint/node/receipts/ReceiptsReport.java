package io.disjoint.node.receipts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.node.DataDir;
import io.disjoint.node.config.ConfigException;
import io.disjoint.staking.store.EpochPayerTotals;
import io.disjoint.staking.store.ReceiptStore;
import io.disjoint.staking.store.StoreOpenException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code disjoint receipts}: per epoch and payer, the count, compute units, value and voucher
 * state of the receipts a node holds. Opens the store read-only, so it works beside a running
 * node and shows everything the node acknowledged before the call.
 */
public record ReceiptsReport(List<EpochPayerTotals> rows) {
  public ReceiptsReport {
    rows = List.copyOf(rows);
  }

  public static ReceiptsReport read(DataDir dataDir) {
    if (!Files.isDirectory(dataDir.receipts())) {
      throw new ConfigException("--data-dir " + dataDir.root() + " holds no receipt store (expected "
          + dataDir.receipts() + "; it appears once the node has served a relay with receipts on)");
    }
    try (ReceiptStore store = ReceiptStore.openReadOnly(dataDir.receipts())) {
      return new ReceiptsReport(store.summary());
    } catch (StoreOpenException e) {
      throw new ConfigException("--data-dir receipt store cannot be opened: " + e.getMessage(), e);
    }
  }

  public long receiptCount() {
    return rows.stream().mapToLong(EpochPayerTotals::receiptCount).sum();
  }

  public long computeUnits() {
    return rows.stream().mapToLong(EpochPayerTotals::computeUnits).sum();
  }

  public BigInteger value() {
    return rows.stream().map(EpochPayerTotals::value).reduce(BigInteger.ZERO, BigInteger::add);
  }

  public void printTable(PrintStream out) {
    String fmt = "%-8s %-42s %10s %14s %24s %10s %-8s%n";
    out.printf(fmt, "EPOCH", "PAYER", "RECEIPTS", "COMPUTE_UNITS", "VALUE", "VOUCHERED", "VOUCHER");
    for (EpochPayerTotals r : rows) {
      out.printf(fmt, r.epoch(), r.payer().bytes().toHexString(), r.receiptCount(), r.computeUnits(),
          r.value(), r.voucheredCount(), r.voucherState().name().toLowerCase(java.util.Locale.ROOT));
    }
    out.printf("total: %d receipts, %d compute units, value %s, %d (epoch, payer) rows%n",
        receiptCount(), computeUnits(), value(), rows.size());
  }

  public void printJson(PrintStream out) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ArrayNode arr = root.putArray("rows");
    for (EpochPayerTotals r : rows) {
      ObjectNode o = arr.addObject();
      o.put("epoch", r.epoch());
      o.put("payer", r.payer().bytes().toHexString());
      o.put("receipts", r.receiptCount());
      o.put("computeUnits", r.computeUnits());
      o.put("value", r.value().toString());
      o.put("voucheredReceipts", r.voucheredCount());
      o.put("voucheredValue", r.voucheredValue().toString());
      o.put("voucherState", r.voucherState().name().toLowerCase(java.util.Locale.ROOT));
    }
    ObjectNode total = root.putObject("total");
    total.put("receipts", receiptCount());
    total.put("computeUnits", computeUnits());
    total.put("value", value().toString());
    out.println(root.toString());
  }
}
