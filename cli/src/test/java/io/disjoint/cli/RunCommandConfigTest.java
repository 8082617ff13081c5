package io.disjoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.disjoint.node.config.HostPort;
import io.disjoint.node.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How the flags of {@code disjoint run} combine with a --config file. */
class RunCommandConfigTest {

  private static NodeConfig parse(String... args) {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs(args);
    return run.toConfig();
  }

  @Test
  void flagsOverrideTheFileAndRepeatableFlagsReplaceItsLists(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.toml");
    Files.writeString(file, """
        data-dir = "data"
        listen = ["/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/tcp/4002"]
        serve = ["eip155:1=http://127.0.0.1:8545"]
        gateway = "127.0.0.1:8600"
        domain = "provider=aws,country=US"
        """);
    NodeConfig fromFile = parse("--config", file.toString());
    assertEquals(dir.resolve("data").toAbsolutePath(), fromFile.dataDir());
    assertEquals(2, fromFile.listen().size());
    assertEquals("aws", fromFile.domain().provider());

    NodeConfig merged = parse("--config", file.toString(), "--listen", "/ip4/127.0.0.1/tcp/0",
        "--gateway", "127.0.0.1:9000", "--domain", "provider=gcp", "--no-receipts", "--method-profile", "strict");
    assertEquals(List.of("/ip4/127.0.0.1/tcp/0"), merged.listen(), "a repeatable flag replaces the file's list");
    assertEquals(List.of("eip155:1"), merged.servedChains(), "what the flags do not name comes from the file");
    assertEquals(Optional.of(new HostPort("127.0.0.1", 9000)), merged.gateway());
    assertEquals("gcp", merged.domain().provider());
    assertEquals("strict", merged.methodProfile());
    assertFalse(merged.receipts());
  }

  @Test
  void withoutAFileTheFlagsAndNamedDefaultsMakeTheConfig(@TempDir Path dir) {
    NodeConfig c = parse("--data-dir", dir.toString(), "--serve", "eip155:31337=ws://127.0.0.1:8546",
        "--peer", "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
        "--metrics", "127.0.0.1:9464", "--key-type", "secp256k1");
    assertEquals(List.of(NodeConfig.DEFAULT_LISTEN), c.listen());
    assertEquals("ws://127.0.0.1:8546", c.serve().get(0).upstream().toString());
    assertEquals(1, c.peers().size());
    assertEquals(Optional.of(new HostPort("127.0.0.1", 9464)), c.metrics());
    assertEquals("secp256k1", c.keyType());
    assertEquals(NodeConfig.DEFAULT_METHOD_PROFILE, c.methodProfile());
    assertEquals(NodeConfig.DEFAULT_HEDGE_BUDGET_PERCENT, c.hedgeBudgetPercent());
    assertEquals(5, parse("--data-dir", dir.toString(), "--hedge-budget", "5").hedgeBudgetPercent());
  }
}
