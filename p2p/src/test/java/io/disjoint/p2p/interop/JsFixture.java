package io.disjoint.p2p.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the npm fixture at testnet/js and decides what happens when it is not installed: in CI
 * ({@code -Ddisjoint.ci=true}, set from CI=true by the build) the interop tests are mandatory and
 * fail; on a developer machine they are skipped with the command that installs the fixture.
 */
public final class JsFixture {
  private static final String INSTALL_HINT =
      "npm fixture not installed: run scripts/install-fixtures.sh (npm ci in testnet/js)";

  private JsFixture() {}

  /** The repository root: {@code -Ddisjoint.repo} (set by surefire) or found above user.dir. */
  public static Path repoRoot() {
    String configured = System.getProperty("disjoint.repo", "");
    if (!configured.isBlank() && !configured.contains("${")) {
      Path root = Path.of(configured).toAbsolutePath().normalize();
      if (isRepoRoot(root)) {
        return root;
      }
    }
    for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (isRepoRoot(dir)) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the repository root (a directory with mvnw and testnet/js/package.json) above "
            + System.getProperty("user.dir") + "; set -Ddisjoint.repo");
  }

  private static boolean isRepoRoot(Path dir) {
    return Files.isRegularFile(dir.resolve("mvnw"))
        && Files.isRegularFile(dir.resolve("testnet/js/package.json"));
  }

  /** testnet/js, the working directory of every fixture script. */
  public static Path dir() {
    return repoRoot().resolve("testnet/js");
  }

  public static boolean isCi() {
    return "true".equalsIgnoreCase(System.getProperty("disjoint.ci", "").trim());
  }

  /** Fails (CI) or skips (elsewhere) the calling test unless node_modules holds js-libp2p. */
  public static void requireInstalled() {
    Path modules = dir().resolve("node_modules");
    boolean installed =
        Files.isRegularFile(modules.resolve("libp2p/package.json"))
            && Files.isRegularFile(modules.resolve("@chainsafe/libp2p-noise/package.json"))
            && Files.isRegularFile(modules.resolve("@chainsafe/libp2p-yamux/package.json"));
    if (!installed) {
      if (isCi()) {
        fail(INSTALL_HINT + " (mandatory in CI: " + modules + " is missing or incomplete)");
      }
      Assumptions.abort(INSTALL_HINT);
    }
  }

  /** The command prefix that runs a js-libp2p script on Node 20 (with the Promise polyfill). */
  public static List<String> nodeWithPolyfill() {
    return List.of("node", "--import", "./polyfill.mjs");
  }
}
