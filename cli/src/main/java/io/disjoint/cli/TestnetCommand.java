package io.disjoint.cli;

import io.disjoint.testnet.TestnetUp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code disjoint testnet ...}: local networks on this machine. */
@Command(name = "testnet", mixinStandardHelpOptions = true,
    description = "Local Disjoint networks with real anvil chain nodes.",
    subcommands = {TestnetCommand.Up.class})
final class TestnetCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: up");
  }

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = {
          "Starts anvil, N serving nodes with failure domains from a layout and one gateway on 127.0.0.1,",
          "prints the gateway URLs, and runs until Ctrl-C or SIGTERM (which stops every process it started)."})
  static final class Up implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", description = "serving nodes (default: every node of the layout, 6 in the default layout)")
    int nodes;

    @Option(names = "--layout", paramLabel = "FILE", description = "layout TOML (default: testnet/layouts/default.toml)")
    Path layout;

    @Option(names = "--gateway-port", paramLabel = "PORT", description = "gateway port on 127.0.0.1 (default: a free port)")
    int gatewayPort;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "node data and logs (default: .disjoint/testnet/TIMESTAMP in the checkout)")
    Path workDir;

    @Option(names = "--block-time", paramLabel = "SECONDS", description = "anvil mines a block every SECONDS (default: only on transactions)")
    Integer blockTimeSeconds;

    @Override
    public Integer call() throws Exception {
      if (nodes < 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--nodes must be at least 1, got " + nodes);
      }
      if (blockTimeSeconds != null && blockTimeSeconds < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--block-time must be at least 1, got " + blockTimeSeconds);
      }
      return new TestnetUp(Optional.ofNullable(layout), nodes, gatewayPort, Optional.ofNullable(workDir),
          Optional.ofNullable(blockTimeSeconds).map(Duration::ofSeconds))
          .run(System.out, System.err);
    }
  }
}
