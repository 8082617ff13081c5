package io.disjoint.cli;

import io.disjoint.node.config.ConfigException;
import io.disjoint.testnet.TestnetException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code disjoint} command. */
@Command(
    name = "disjoint",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Peer-to-peer relay network for blockchain JSON-RPC with failure-domain diversity.",
    subcommands = {RunCommand.class, ReceiptsCommand.class, StakeCommand.class, PayoutsCommand.class, SettleCommand.class, TestnetCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Exit codes: 0 done, 1 failed while running, 2 the command line or configuration is wrong. */
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (used by tests without exiting). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExitCodeExceptionMapper(e -> e instanceof ConfigException || e instanceof TestnetException
        && e.getMessage() != null && e.getMessage().startsWith("--") ? USAGE : FAILED);
    cl.setParameterExceptionHandler(Main::usageError);
    cl.setExecutionExceptionHandler(Main::executionError);
    return cl;
  }

  /** A bad command line: one plain line naming the flag, exit code 2. */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    String name = e.getCommandLine().getCommandSpec().qualifiedName();
    err.println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
    err.flush();
    return USAGE;
  }

  /** A configuration error (exit 2) or a failure while running (exit 1): one line, no stack trace. */
  private static int executionError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    String name = cl.getCommandSpec().qualifiedName();
    err.println(name + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    err.flush();
    if (!(e instanceof ConfigException) && !(e instanceof TestnetException) && Boolean.getBoolean("disjoint.debug")) {
      e.printStackTrace(err);
    }
    return cl.getExitCodeExceptionMapper().getExitCode(e);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: run, receipts, stake, payouts, settle, testnet");
  }

  /** Version from the jar manifest when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"disjoint " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
