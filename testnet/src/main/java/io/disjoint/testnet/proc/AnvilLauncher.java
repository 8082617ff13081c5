package io.disjoint.testnet.proc;

import io.disjoint.testnet.TestnetException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts anvil (from the npm package {@code @foundry-rs/anvil-linux-amd64}) on 127.0.0.1 and a
 * free port, and waits until it answers JSON-RPC.
 */
public final class AnvilLauncher {
  public static final long DEFAULT_CHAIN_ID = 31337;
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

  /**
   * @param chainId the chain id anvil reports
   * @param blockTime mine a block every this often; empty = only when a transaction arrives
   * @param premineBlocks blocks mined right after start (anvil_mine), to give a non-trivial head
   */
  public record Options(long chainId, Optional<Duration> blockTime, int premineBlocks) {
    public Options {
      Objects.requireNonNull(blockTime, "blockTime");
      if (chainId < 1) {
        throw new IllegalArgumentException("chainId must be positive");
      }
      if (premineBlocks < 0) {
        throw new IllegalArgumentException("premineBlocks must be >= 0");
      }
    }

    public static Options defaults() {
      return new Options(DEFAULT_CHAIN_ID, Optional.empty(), 0);
    }

    public Options withBlockTime(Duration every) {
      return new Options(chainId, Optional.of(every), premineBlocks);
    }

    public Options withPremine(int blocks) {
      return new Options(chainId, blockTime, blocks);
    }
  }

  /** A running anvil; {@link #close()} stops it. */
  public record Anvil(Process process, int port, Path log) implements AutoCloseable {
    public URI httpUrl() {
      return URI.create("http://127.0.0.1:" + port);
    }

    public URI wsUrl() {
      return URI.create("ws://127.0.0.1:" + port);
    }

    public JsonRpcProbe rpc() {
      return new JsonRpcProbe(httpUrl());
    }

    /** Mines {@code blocks} blocks at once. */
    public void mine(int blocks) {
      rpc().result("anvil_mine", "[\"0x" + Integer.toHexString(blocks) + "\"]");
    }

    @Override
    public void close() {
      ChildProcesses.stop(process, 3_000);
    }
  }

  private final Path binary;

  public AnvilLauncher(Path binary) {
    this.binary = Objects.requireNonNull(binary, "binary");
  }

  public static AnvilLauncher fromFixture(RepoPaths repo) {
    return new AnvilLauncher(repo.anvil().orElseThrow(() -> new TestnetException(
        "anvil is not installed: run scripts/install-fixtures.sh (npm ci in testnet/js)")));
  }

  /** Starts anvil, writing its output to {@code log}; retries on a port taken in between. */
  public Anvil start(Options options, Path log) {
    TestnetException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = FreePorts.loopback();
      try {
        return startOn(port, options, log);
      } catch (TestnetException e) {
        last = e;
      }
    }
    throw last;
  }

  private Anvil startOn(int port, Options options, Path log) {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--chain-id", Long.toString(options.chainId())));
    options.blockTime().ifPresent(t -> {
      cmd.add("--block-time");
      cmd.add(Long.toString(Math.max(1, t.toSeconds())));
    });
    Process process;
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      process = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new TestnetException("cannot start anvil (" + binary + "): " + e.getMessage(), e);
    }
    ChildProcesses.track(process);
    Anvil anvil = new Anvil(process, port, log);
    JsonRpcProbe rpc = anvil.rpc();
    long deadline = System.nanoTime() + DEFAULT_START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new TestnetException("anvil exited with code " + process.exitValue() + " on port " + port + "; see " + log);
      }
      if (rpc.awaitAnswer("eth_chainId", Duration.ofMillis(200))) {
        if (options.premineBlocks() > 0) {
          anvil.mine(options.premineBlocks());
        }
        return anvil;
      }
    }
    anvil.close();
    throw new TestnetException("anvil did not answer on port " + port + " within " + DEFAULT_START_TIMEOUT.toSeconds() + " s; see " + log);
  }
}
