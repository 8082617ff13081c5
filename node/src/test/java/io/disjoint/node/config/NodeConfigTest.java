package io.disjoint.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

  @Test
  void serveParsesChainAndUrl() {
    ServeSpec spec = ServeSpec.parse("eip155:31337=http://127.0.0.1:8545", "--serve");
    assertEquals("eip155:31337", spec.chain());
    assertEquals(URI.create("http://127.0.0.1:8545"), spec.upstream());
  }

  @Test
  void serveErrorsNameTheFlagAndTheValue() {
    ConfigException e = assertThrows(ConfigException.class, () -> ServeSpec.parse("mainnet", "--serve"));
    assertTrue(e.getMessage().startsWith("--serve expects CHAIN=URL"), e.getMessage());
    assertTrue(e.getMessage().contains("'mainnet'"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> ServeSpec.parse("eth=http://x:1", "--serve"));
    assertTrue(e.getMessage().contains("CAIP-2"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> ServeSpec.parse("eip155:1=ftp://x:1", "--serve"));
    assertTrue(e.getMessage().contains("http://"), e.getMessage());
  }

  @Test
  void hostPortParsesAndRejects() {
    assertEquals(new HostPort("127.0.0.1", 8545), HostPort.parse("127.0.0.1:8545", "--gateway"));
    assertEquals(new HostPort("::1", 0), HostPort.parse("[::1]:0", "--gateway"));
    for (String bad : List.of("8545", "127.0.0.1:", ":80", "127.0.0.1:99999", "127.0.0.1:http")) {
      ConfigException e = assertThrows(ConfigException.class, () -> HostPort.parse(bad, "--gateway"));
      assertTrue(e.getMessage().startsWith("--gateway"), e.getMessage());
    }
  }

  @Test
  void domainParsesEveryKeyAndNormalisesCase() {
    DomainClaim d = DomainClaim.parse("provider=AWS,region=us-east-1,country=us,operator=op1,asn=AS16509", "--domain");
    assertEquals(new DomainClaim("aws", "us-east-1", "US", "op1", 16509), d);
    assertEquals(d, DomainClaim.parse(d.toFlag(), "--domain"));
    DomainClaim partial = DomainClaim.parse("provider=hetzner", "--domain");
    assertEquals(DomainClaim.UNKNOWN, partial.country());
    assertEquals(0, partial.asn());
  }

  @Test
  void domainRejectsUnknownKeysDuplicatesAndBadValues() {
    for (String bad : List.of("cloud=aws", "provider=aws,provider=gcp", "country=USA", "asn=x", "provider", "provider=a b")) {
      ConfigException e = assertThrows(ConfigException.class, () -> DomainClaim.parse(bad, "--domain"));
      assertTrue(e.getMessage().startsWith("--domain"), bad + " -> " + e.getMessage());
    }
  }

  @Test
  void builderAppliesNamedDefaults(@TempDir Path dir) {
    NodeConfig c = NodeConfig.builder().dataDir(dir).build();
    assertEquals(List.of(NodeConfig.DEFAULT_LISTEN), c.listen());
    assertEquals(DomainClaim.UNDECLARED, c.domain());
    assertEquals(Optional.empty(), c.gateway());
    assertEquals("ed25519", c.keyType());
    assertTrue(c.receipts());
  }

  @Test
  void validationNamesTheFlag(@TempDir Path dir) {
    assertTrue(assertThrows(ConfigException.class, () -> NodeConfig.builder().build())
        .getMessage().startsWith("--data-dir"));
    assertTrue(assertThrows(ConfigException.class,
            () -> NodeConfig.builder().dataDir(dir).listen("127.0.0.1:4001").build())
        .getMessage().startsWith("--listen"));
    assertTrue(assertThrows(ConfigException.class,
            () -> NodeConfig.builder().dataDir(dir).peer("/ip4/127.0.0.1/tcp/1").build())
        .getMessage().startsWith("--peer"));
    assertTrue(assertThrows(ConfigException.class,
            () -> NodeConfig.builder().dataDir(dir).serve("eip155:1=http://a:1").serve("eip155:1=http://b:1").build())
        .getMessage().startsWith("--serve"));
    assertTrue(assertThrows(ConfigException.class,
            () -> NodeConfig.builder().dataDir(dir).keyType("rsa").build())
        .getMessage().startsWith("--key-type"));
    assertTrue(assertThrows(ConfigException.class,
            () -> NodeConfig.builder().dataDir(dir).route("eip155:1").build())
        .getMessage().startsWith("--route needs --gateway"));
    assertTrue(assertThrows(ConfigException.class,
            () -> NodeConfig.builder().dataDir(dir).gateway(new HostPort("127.0.0.1", 0)).route("mainnet").build())
        .getMessage().startsWith("--route expects"));
  }

  @Test
  void tomlFileMirrorsTheFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.toml");
    Files.writeString(file, """
        data-dir = "data"
        listen = ["/ip4/127.0.0.1/tcp/0"]
        serve = ["eip155:31337=http://127.0.0.1:8545"]
        gateway = "127.0.0.1:0"
        route = ["eip155:1"]
        method-profile = "strict"
        peer = ["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq"]
        metrics = "127.0.0.1:9464"
        key-type = "secp256k1"
        receipts = false
        [domain]
        provider = "gcp"
        country = "DE"
        asn = 15169
        """);
    NodeConfig c = NodeConfigFile.load(file).build();
    assertEquals(dir.toAbsolutePath().resolve("data"), c.dataDir());
    assertEquals(List.of("/ip4/127.0.0.1/tcp/0"), c.listen());
    assertEquals(List.of("eip155:31337"), c.servedChains());
    assertEquals(Optional.of(new HostPort("127.0.0.1", 0)), c.gateway());
    assertEquals(1, c.peers().size());
    assertEquals(List.of("eip155:31337", "eip155:1"), c.gatewayChains());
    assertEquals("strict", c.methodProfile());
    assertEquals(new DomainClaim("gcp", "unknown", "DE", "unknown", 15169), c.domain());
    assertEquals(Optional.of(new HostPort("127.0.0.1", 9464)), c.metrics());
    assertEquals("secp256k1", c.keyType());
    assertEquals(false, c.receipts());
  }

  @Test
  void tomlErrorsNameTheKeyAndFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.toml");
    Files.writeString(file, "servve = [\"x\"]\n");
    ConfigException e = assertThrows(ConfigException.class, () -> NodeConfigFile.load(file));
    assertTrue(e.getMessage().contains("unknown key 'servve'"), e.getMessage());
    Files.writeString(file, "serve = [\"eip155:1\"]\n");
    e = assertThrows(ConfigException.class, () -> NodeConfigFile.load(file));
    assertTrue(e.getMessage().startsWith("key 'serve' in " + file), e.getMessage());
    Files.writeString(file, "serve = [\n");
    e = assertThrows(ConfigException.class, () -> NodeConfigFile.load(file));
    assertTrue(e.getMessage().contains("not valid TOML"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> NodeConfigFile.load(dir.resolve("missing.toml")));
    assertTrue(e.getMessage().startsWith("--config file does not exist"), e.getMessage());
  }

  @Test
  void blockedAddressesLoadFromTheFlagOrTheFileAndNameTheFlagOnErrors(@TempDir Path dir) throws Exception {
    Path list = dir.resolve("blocked.txt");
    Files.writeString(list, "# sanctioned\n0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n");
    NodeConfig none = NodeConfig.builder().dataDir(dir).serve("eip155:1=http://127.0.0.1:8545").build();
    assertTrue(none.addressPolicy().isEmpty());

    NodeConfig fromFlag = NodeConfig.builder().dataDir(dir).serve("eip155:1=http://127.0.0.1:8545")
        .blockedAddresses(list).build();
    assertEquals(1, fromFlag.addressPolicy().size());

    Files.writeString(dir.resolve("node.toml"), "data-dir = \"d\"\nserve = [\"eip155:1=http://127.0.0.1:8545\"]\n"
        + "blocked-addresses = \"blocked.txt\"\n");
    NodeConfig fromToml = NodeConfigFile.load(dir.resolve("node.toml")).build();
    assertEquals(Optional.of(list.toAbsolutePath()), fromToml.blockedAddresses().map(Path::toAbsolutePath));
    assertEquals(1, fromToml.addressPolicy().size());

    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeConfig.builder().dataDir(dir).blockedAddresses(list).build());
    assertTrue(e.getMessage().startsWith("--blocked-addresses applies to the chains this node serves"), e.getMessage());

    Files.writeString(list, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\nnot-an-address\n");
    e = assertThrows(ConfigException.class, fromFlag::addressPolicy);
    assertTrue(e.getMessage().startsWith("--blocked-addresses: blocked-addresses file") && e.getMessage().contains("line 2"),
        e.getMessage());
    NodeConfig missing = NodeConfig.builder().dataDir(dir).serve("eip155:1=http://127.0.0.1:8545")
        .blockedAddresses(dir.resolve("nope.txt")).build();
    e = assertThrows(ConfigException.class, missing::addressPolicy);
    assertTrue(e.getMessage().contains("nope.txt"), e.getMessage());
  }

  @Test
  void receiptSamplingComesFromFlagsOrTheFileAndNamesTheFlagWhenOutOfRange(@TempDir Path dir) throws Exception {
    NodeConfig defaults = NodeConfig.builder().dataDir(dir).build();
    assertEquals(io.disjoint.node.payment.ReceiptSampling.DEFAULTS, defaults.receiptSampling());

    NodeConfig strict = NodeConfig.builder().dataDir(dir).receiptSampling(1, null, 1).build();
    assertEquals(new io.disjoint.node.payment.ReceiptSampling(1, 8, 1), strict.receiptSampling());

    Files.writeString(dir.resolve("node.toml"), "data-dir = \"d\"\nreceipt-verify-one-in = 4\nreceipt-verify-first = 2\n"
        + "receipt-audit-one-in = 16\n");
    NodeConfig fromToml = NodeConfigFile.load(dir.resolve("node.toml")).build();
    assertEquals(new io.disjoint.node.payment.ReceiptSampling(4, 2, 16), fromToml.receiptSampling());

    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeConfig.builder().dataDir(dir).receiptSampling(0, null, null));
    assertTrue(e.getMessage().startsWith("--receipt-verify-one-in must be >= 1"), e.getMessage());
    Files.writeString(dir.resolve("bad.toml"), "receipt-audit-one-in = \"often\"\n");
    e = assertThrows(ConfigException.class, () -> NodeConfigFile.load(dir.resolve("bad.toml")));
    assertTrue(e.getMessage().contains("key 'receipt-audit-one-in'") && e.getMessage().contains("whole number"),
        e.getMessage());
  }

  @Test
  void hedgeBudgetComesFromTheFlagOrTheFileAndNamesTheFlagWhenOutOfRange(@TempDir Path dir) throws Exception {
    assertEquals(NodeConfig.DEFAULT_HEDGE_BUDGET_PERCENT, NodeConfig.builder().dataDir(dir).build().hedgeBudgetPercent());
    assertEquals(2.5, NodeConfig.builder().dataDir(dir).hedgeBudgetPercent(2.5).build().hedgeBudgetPercent());
    Files.writeString(dir.resolve("node.toml"), "data-dir = \"d\"\nhedge-budget = 25\n");
    assertEquals(25, NodeConfigFile.load(dir.resolve("node.toml")).build().hedgeBudgetPercent());
    ConfigException e = assertThrows(ConfigException.class,
        () -> NodeConfig.builder().dataDir(dir).hedgeBudgetPercent(150).build());
    assertEquals("--hedge-budget expects a percentage from 0 to 100 (extra requests hedges may add), got 150.0", e.getMessage());
    e = assertThrows(ConfigException.class, () -> NodeConfig.builder().dataDir(dir).hedgeBudgetPercent(Double.NaN).build());
    assertTrue(e.getMessage().startsWith("--hedge-budget"), e.getMessage());
    Files.writeString(dir.resolve("bad.toml"), "hedge-budget = \"lots\"\n");
    e = assertThrows(ConfigException.class, () -> NodeConfigFile.load(dir.resolve("bad.toml")));
    assertTrue(e.getMessage().contains("key 'hedge-budget'") && e.getMessage().contains("percentage"), e.getMessage());
  }
}
