package io.disjoint.cli;

import io.disjoint.node.DataDir;
import io.disjoint.node.receipts.ReceiptsReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code disjoint receipts}: what a node is owed, from its receipt store (read-only). */
@Command(name = "receipts", mixinStandardHelpOptions = true,
    description = {
        "Per epoch and payer: receipts, compute units, value and voucher state of a node's receipt store.",
        "Opens the store read-only, so it works while the node runs."})
final class ReceiptsCommand implements Callable<Integer> {
  @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "the node's data directory")
  Path dataDir;

  @Option(names = "--json", description = "one JSON object instead of a table")
  boolean json;

  @Override
  public Integer call() {
    ReceiptsReport report = ReceiptsReport.read(new DataDir(dataDir));
    if (json) {
      report.printJson(System.out);
    } else {
      report.printTable(System.out);
    }
    System.out.flush();
    return Main.OK;
  }
}
