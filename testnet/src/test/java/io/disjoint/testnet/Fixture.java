package io.disjoint.testnet;

import static org.junit.jupiter.api.Assertions.fail;

import io.disjoint.testnet.proc.RepoPaths;
import org.junit.jupiter.api.Assumptions;

/**
 * The npm fixture (anvil, viem, ethers) is needed by the end-to-end tests: with
 * {@code -Ddisjoint.ci=true} (CI=true) a missing fixture fails the test, otherwise it is skipped.
 */
public final class Fixture {
  private Fixture() {}

  public static RepoPaths require() {
    RepoPaths repo = RepoPaths.locate();
    if (!repo.fixtureInstalled()) {
      String why = "npm fixture missing in " + repo.fixtureDir() + " (run scripts/install-fixtures.sh)";
      if ("true".equals(System.getProperty("disjoint.ci"))) {
        fail(why + "; mandatory because disjoint.ci=true");
      }
      Assumptions.abort(why + "; skipping (set CI=true to make this a failure)");
    }
    return repo;
  }
}
