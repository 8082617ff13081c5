package io.disjoint.cli;

import io.disjoint.node.DataDir;
import io.disjoint.node.settle.SettleTool;
import java.nio.file.Path;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code disjoint settle}: get paid on the embedded ledger for the receipts a node stored. */
@Command(name = "settle", mixinStandardHelpOptions = true,
    description = {
        "Settles a serving node's receipts on the embedded ledger: redeems each payer's latest voucher (fees),",
        "claims each ended epoch per payer and proves the leaves the ledger's seed picks (rewards).",
        "Works while the node runs (its receipt store is opened read-only); run it again until every",
        "epoch is rewarded: each run does only what is due and never pays anything twice."})
final class SettleCommand implements Callable<Integer> {
  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "the serving node's data directory (its receipt store and node.key)")
  Path dataDir;

  @Option(names = "--ledger", required = true, paramLabel = "DIR", description = "the embedded ledger's directory")
  Path ledger;

  @Option(names = "--epoch", paramLabel = "N", description = "claim and prove only this epoch (vouchers span epochs and are always redeemed)")
  Long epoch;

  @Option(names = "--json", description = "one JSON object instead of a table")
  boolean json;

  @Override
  public Integer call() {
    if (epoch != null && epoch < 0) {
      throw new io.disjoint.node.config.ConfigException("--epoch expects an epoch number >= 0, got " + epoch);
    }
    SettleTool.Result result = SettleTool.run(new DataDir(dataDir), ledger,
        epoch == null ? OptionalLong.empty() : OptionalLong.of(epoch), Clock.systemUTC());
    if (json) {
      SettleTool.printJson(result, System.out);
    } else {
      SettleTool.printTable(result, System.out);
    }
    System.out.flush();
    if (result.refused()) {
      return Main.USAGE;
    }
    return result.failed() ? Main.FAILED : Main.OK;
  }
}
