package io.disjoint.testnet.proc;

import io.disjoint.testnet.TestnetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the project checkout (for the npm fixture and its anvil binary): the system property
 * {@code disjoint.repo} (set by the launcher and by the build), else the environment variable
 * {@code DISJOINT_HOME}, else the nearest parent of the working directory holding testnet/js.
 */
public record RepoPaths(Path root) {
  static final String ANVIL_IN_FIXTURE = "testnet/js/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

  public static RepoPaths locate() {
    String prop = System.getProperty("disjoint.repo");
    if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop, "testnet"))) {
      return new RepoPaths(Path.of(prop).toAbsolutePath().normalize());
    }
    String env = System.getenv("DISJOINT_HOME");
    if (env != null && !env.isBlank() && Files.isDirectory(Path.of(env, "testnet"))) {
      return new RepoPaths(Path.of(env).toAbsolutePath().normalize());
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("testnet/js/package.json"))) {
        return new RepoPaths(p);
      }
    }
    throw new TestnetException(
        "cannot find the Disjoint checkout (set DISJOINT_HOME or run from inside it); it holds the npm fixture with anvil");
  }

  public Path fixtureDir() {
    return root.resolve("testnet/js");
  }

  /** The anvil binary from the npm fixture, if installed; DISJOINT_ANVIL overrides. */
  public Optional<Path> anvil() {
    String env = System.getenv("DISJOINT_ANVIL");
    Path p = env != null && !env.isBlank() ? Path.of(env) : root.resolve(ANVIL_IN_FIXTURE);
    return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
  }

  /** Whether the npm fixture's client scripts and anvil are installed. */
  public boolean fixtureInstalled() {
    return anvil().isPresent() && Files.isDirectory(fixtureDir().resolve("node_modules/viem"))
        && Files.isDirectory(fixtureDir().resolve("node_modules/ethers"));
  }

  /** Runs scripts/install-fixtures.sh (npm ci from the committed lock file); its output goes to stderr. */
  public void installFixtures() {
    Path script = root.resolve("scripts/install-fixtures.sh");
    if (!Files.isExecutable(script)) {
      throw new TestnetException("cannot install the npm fixture: " + script + " is missing");
    }
    try {
      Process p = new ProcessBuilder(script.toString())
          .directory(root.toFile())
          .redirectOutput(ProcessBuilder.Redirect.INHERIT)
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      int rc = p.waitFor();
      if (rc != 0) {
        throw new TestnetException("scripts/install-fixtures.sh failed with exit code " + rc + " (is npm installed and the registry reachable?)");
      }
    } catch (IOException e) {
      throw new TestnetException("cannot run scripts/install-fixtures.sh: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestnetException("interrupted while installing the npm fixture", e);
    }
  }
}
