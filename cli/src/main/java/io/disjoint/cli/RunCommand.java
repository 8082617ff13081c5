package io.disjoint.cli;

import io.disjoint.node.NodeRunner;
import io.disjoint.node.config.DomainClaim;
import io.disjoint.node.config.HostPort;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.node.config.NodeConfigFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code disjoint run}: maps the flags onto {@link NodeConfig} (over a --config file if given;
 * flags win, repeatable flags replace the file's list) and hands it to {@link NodeRunner}.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Runs a node: prints 'listening <multiaddr>/p2p/<peer id>' per listen address and",
        "'gateway <url>' per gateway chain on stdout (also later, when the gateway learns a chain a peer serves),",
        "logs on stderr, and serves until SIGTERM or Ctrl-C."})
final class RunCommand implements Callable<Integer> {
  @Option(names = "--data-dir", paramLabel = "DIR", description = "node key (node.key), receipt store and evidence; created if missing")
  Path dataDir;

  @Option(names = "--listen", paramLabel = "MULTIADDR", description = "libp2p TCP listen address, repeatable (default " + NodeConfig.DEFAULT_LISTEN + ")")
  List<String> listen = new ArrayList<>();

  @Option(names = "--serve", paramLabel = "CHAIN=URL", description = "serve a chain (CAIP-2 id) from your own chain node, repeatable, e.g. eip155:1=http://127.0.0.1:8545")
  List<String> serve = new ArrayList<>();

  @Option(names = "--gateway", paramLabel = "HOST:PORT", description = "also run a JSON-RPC gateway (HTTP + WebSocket) there, e.g. 127.0.0.1:8600")
  String gateway;

  @Option(names = "--route", paramLabel = "CHAIN", description = "a chain the gateway accepts and prints at start, before any peer serving it is connected, repeatable (chains that connected peers serve are learned from their hellos without it)")
  List<String> route = new ArrayList<>();

  @Option(names = "--method-profile", paramLabel = "NAME", description = "gateway method policy: default, or strict (state reads need a quorum of 2 disjoint peers)")
  String methodProfile;

  @Option(names = "--peer", paramLabel = "MULTIADDR", description = "static peer .../p2p/ID to keep connected, repeatable")
  List<String> peers = new ArrayList<>();

  @Option(names = "--domain", paramLabel = "CLAIMS", description = "this node's failure domain, e.g. provider=aws,region=us-east-1,country=US,operator=op1,asn=16509")
  String domain;

  @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "serve Prometheus metrics at http://HOST:PORT/metrics")
  String metrics;

  @Option(names = "--key-type", paramLabel = "TYPE", description = "type of a newly created node key: ed25519 (default) or secp256k1")
  String keyType;

  @Option(names = "--blocked-addresses", paramLabel = "FILE", description = "your jurisdiction's list of addresses (one 0x address per line, # comments): served chains refuse transactions and calls naming them, and gateways retry such requests on nodes elsewhere")
  java.nio.file.Path blockedAddresses;

  @Option(names = "--receipt-verify-one-in", paramLabel = "N", description = "serving node: check the signature of 1 receipt in N on the relay path (default 32; 1 = all); all are checked before a claim")
  Integer receiptVerifyOneIn;

  @Option(names = "--receipt-verify-first", paramLabel = "N", description = "serving node: always check the first N receipts of each gateway (default 8)")
  Integer receiptVerifyFirst;

  @Option(names = "--receipt-audit-one-in", paramLabel = "N", description = "gateway: ask for a signed response attestation on 1 relay in N (default 64; quorum calls always ask)")
  Integer receiptAuditOneIn;

  @Option(names = "--receipt-batch", paramLabel = "on|off", description = "gateway: send receipts unsigned and sign one batch per serving peer every 256 receipts or 20 ms (default on); off signs every receipt on its own")
  String receiptBatch;

  @Option(names = "--hedge-budget", paramLabel = "PERCENT", description = "gateway: hedged requests add at most this percentage of extra requests over a 10 s window (default 10; 0 = only a few per window)")
  Double hedgeBudget;

  @Option(names = "--epoch-seconds", paramLabel = "N", description = "the network's epoch length for receipts and claims (default 3600); must equal the ledger's (disjoint stake init --epoch-seconds)")
  Long epochSeconds;

  @Option(names = "--no-receipts", description = "relay without payment receipts")
  boolean noReceipts;

  @Option(names = "--config", paramLabel = "FILE", description = "TOML file with the same keys as these flags (data-dir, listen, serve, ...)")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    return NodeRunner.run(toConfig(), System.out);
  }

  NodeConfig toConfig() {
    NodeConfig.Builder b = configFile != null ? NodeConfigFile.load(configFile) : NodeConfig.builder();
    if (dataDir != null) {
      b.dataDir(dataDir);
    }
    if (!listen.isEmpty()) {
      b.clearListen();
      listen.forEach(b::listen);
    }
    if (!serve.isEmpty()) {
      b.clearServe();
      serve.forEach(b::serve);
    }
    if (gateway != null) {
      b.gateway(HostPort.parse(gateway, "--gateway"));
    }
    if (!route.isEmpty()) {
      b.clearRoutes();
      route.forEach(b::route);
    }
    if (methodProfile != null) {
      b.methodProfile(methodProfile);
    }
    if (!peers.isEmpty()) {
      b.clearPeers();
      peers.forEach(b::peer);
    }
    if (domain != null) {
      b.domain(DomainClaim.parse(domain, "--domain"));
    }
    if (metrics != null) {
      b.metrics(HostPort.parse(metrics, "--metrics"));
    }
    if (keyType != null) {
      b.keyType(keyType);
    }
    if (hedgeBudget != null) {
      b.hedgeBudgetPercent(hedgeBudget);
    }
    if (epochSeconds != null) {
      b.epochSeconds(epochSeconds);
    }
    if (noReceipts) {
      b.receipts(false);
    }
    if (blockedAddresses != null) {
      b.blockedAddresses(blockedAddresses);
    }
    b.receiptSampling(receiptVerifyOneIn, receiptVerifyFirst, receiptAuditOneIn);
    if (receiptBatch != null) {
      b.receiptBatch(receiptBatch, "--receipt-batch");
    }
    NodeConfig config = b.build();
    config.addressPolicy(); // a bad list is a flag error before anything starts
    return config;
  }
}
