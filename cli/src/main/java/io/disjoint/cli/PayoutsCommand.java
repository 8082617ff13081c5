package io.disjoint.cli;

import io.disjoint.node.ledger.LedgerTool;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code disjoint payouts}: what each node earned and lost per epoch on the embedded ledger. */
@Command(name = "payouts", mixinStandardHelpOptions = true,
    description = "Per epoch and node: voucher fees, claim rewards and slashes booked by the embedded ledger (read-only).")
final class PayoutsCommand implements Callable<Integer> {
  @Option(names = "--ledger", required = true, paramLabel = "DIR") Path ledger;

  @Option(names = "--epoch", paramLabel = "N", description = "only this epoch") Long epoch;

  @Option(names = "--json", description = "a JSON array instead of a table") boolean json;

  @Override
  public Integer call() {
    try (LedgerTool t = LedgerTool.openReadOnly(ledger, Clock.systemUTC())) {
      t.printPayouts(Optional.ofNullable(epoch), json, System.out);
    }
    return Main.OK;
  }
}
