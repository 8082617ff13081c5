package io.disjoint.node;

import io.disjoint.node.config.ConfigException;
import io.disjoint.node.config.NodeConfigFile;
import java.nio.file.Path;

/**
 * Runs a node from a TOML config file: {@code java -cp ... io.disjoint.node.NodeMain --config FILE}.
 * The same as {@code disjoint run --config FILE}, without the CLI; local testnets start their node
 * processes this way because the testnet module cannot depend on the CLI.
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) {
    if (args.length != 2 || !"--config".equals(args[0])) {
      System.err.println("usage: NodeMain --config FILE");
      System.exit(2);
    }
    int code;
    try {
      code = NodeRunner.run(NodeConfigFile.load(Path.of(args[1])).build(), System.out);
    } catch (ConfigException e) {
      System.err.println("disjoint run: " + e.getMessage());
      code = 2;
    } catch (NodeException e) {
      System.err.println("disjoint run: " + e.getMessage());
      code = 1;
    } catch (InterruptedException e) {
      code = 1;
    }
    System.exit(code);
  }
}
