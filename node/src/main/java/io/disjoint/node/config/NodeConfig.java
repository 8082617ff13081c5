package io.disjoint.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything {@code disjoint run} needs. Built by the CLI from flags or by {@link NodeConfigFile}
 * from a TOML file with the same keys; every error names the flag to fix.
 *
 * @param dataDir holds the node key, the receipt store and the ledger
 * @param listen libp2p listen multiaddrs (without /p2p)
 * @param serve chains served from the operator's own upstream chain nodes
 * @param gateway where to run a JSON-RPC gateway, if at all
 * @param routes chains the gateway accepts besides the served ones (served by peers)
 * @param methodProfile method-table profile of the gateway: default, or strict (quorum reads)
 * @param peers static peers (multiaddrs ending in /p2p/ID) dialled at start and re-dialled
 * @param domain this node's declared failure domain
 * @param metrics where to serve Prometheus metrics, if at all
 * @param keyType key type of a newly generated node key: ed25519 or secp256k1
 * @param receipts whether the gateway signs and serving nodes keep payment receipts
 * @param peerRedialInitial first back-off before re-dialling a static peer
 * @param peerRedialMax back-off ceiling for static peers
 * @param blockedAddresses the operator's blocked-addresses list file (one address per line), if any:
 *     served chains refuse transactions and calls that name a listed address
 * @param receiptSampling how many receipt signatures a serving node checks on the relay path and
 *     how often a gateway asks for a signed attestation (docs/receipts.md)
 * @param hedgeBudgetPercent gateway: hedges at most this percentage of the requests over a sliding
 *     window (docs/selection.md), so a slow period adds at most that much load to the network
 * @param epochs the network's epoch schedule ({@code --epoch-seconds}, default one hour from the Unix
 *     epoch): gateways stamp receipts with it, serving nodes refuse receipts whose epoch disagrees,
 *     and it must equal the ledger's ({@code disjoint settle} checks)
 */
public record NodeConfig(
    Path dataDir,
    List<String> listen,
    List<ServeSpec> serve,
    Optional<HostPort> gateway,
    List<String> routes,
    String methodProfile,
    List<String> peers,
    DomainClaim domain,
    Optional<HostPort> metrics,
    String keyType,
    boolean receipts,
    Duration peerRedialInitial,
    Duration peerRedialMax,
    Optional<Path> blockedAddresses,
    io.disjoint.node.payment.ReceiptSampling receiptSampling,
    double hedgeBudgetPercent,
    io.disjoint.staking.receipt.EpochSchedule epochs) {

  public static final String DEFAULT_LISTEN = "/ip4/0.0.0.0/tcp/4001";
  public static final String DEFAULT_KEY_TYPE = "ed25519";
  public static final String DEFAULT_METHOD_PROFILE = "default";
  public static final Duration DEFAULT_PEER_REDIAL_INITIAL = Duration.ofMillis(250);
  public static final Duration DEFAULT_PEER_REDIAL_MAX = Duration.ofSeconds(10);
  public static final double DEFAULT_HEDGE_BUDGET_PERCENT = 10;
  private static final Set<String> KEY_TYPES = Set.of("ed25519", "secp256k1");

  public NodeConfig {
    if (dataDir == null) {
      throw new ConfigException("--data-dir is required (the directory holding the node key and receipts)");
    }
    listen = List.copyOf(listen);
    serve = List.copyOf(serve);
    peers = List.copyOf(peers);
    routes = List.copyOf(routes);
    Objects.requireNonNull(gateway, "gateway");
    Objects.requireNonNull(methodProfile, "methodProfile");
    for (String chain : routes) {
      if (!ServeSpec.isCaip2(chain)) {
        throw new ConfigException("--route expects a CAIP-2 chain id such as eip155:1, got '" + chain + "'");
      }
    }
    if (!routes.isEmpty() && gateway.isEmpty()) {
      throw new ConfigException("--route needs --gateway (it names chains the gateway accepts)");
    }
    if (!methodProfile.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
      throw new ConfigException("--method-profile expects a profile name such as default or strict, got '" + methodProfile + "'");
    }
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(keyType, "keyType");
    if (listen.isEmpty()) {
      throw new ConfigException("--listen is required at least once, e.g. --listen /ip4/127.0.0.1/tcp/0");
    }
    for (String addr : listen) {
      if (!addr.startsWith("/")) {
        throw new ConfigException("--listen expects a multiaddr such as /ip4/127.0.0.1/tcp/4001, got '" + addr + "'");
      }
      if (addr.contains("/p2p/")) {
        throw new ConfigException("--listen takes an address without /p2p/ID, got '" + addr + "'");
      }
    }
    for (String addr : peers) {
      if (!addr.startsWith("/") || !addr.contains("/p2p/")) {
        throw new ConfigException("--peer expects a multiaddr ending in /p2p/PEER_ID, got '" + addr + "'");
      }
    }
    Set<String> chains = new HashSet<>();
    for (ServeSpec spec : serve) {
      if (!chains.add(spec.chain())) {
        throw new ConfigException("--serve names chain " + spec.chain() + " twice");
      }
    }
    if (!KEY_TYPES.contains(keyType)) {
      throw new ConfigException("--key-type expects ed25519 or secp256k1, got '" + keyType + "'");
    }
    if (gateway.isPresent() && metrics.isPresent() && gateway.get().port() != 0
        && gateway.get().equals(metrics.get())) {
      throw new ConfigException("--metrics must not use the same address as --gateway: " + gateway.get());
    }
    Objects.requireNonNull(blockedAddresses, "blockedAddresses");
    Objects.requireNonNull(receiptSampling, "receiptSampling");
    Objects.requireNonNull(epochs, "epochs");
    if (blockedAddresses.isPresent() && serve.isEmpty()) {
      throw new ConfigException("--blocked-addresses applies to the chains this node serves; add --serve CHAIN=URL or drop it");
    }
    if (!(hedgeBudgetPercent >= 0 && hedgeBudgetPercent <= 100)) {
      throw new ConfigException("--hedge-budget expects a percentage from 0 to 100 (extra requests hedges may add), got "
          + hedgeBudgetPercent);
    }
    if (peerRedialInitial.isNegative() || peerRedialInitial.isZero()
        || peerRedialMax.compareTo(peerRedialInitial) < 0) {
      throw new ConfigException("peer re-dial back-off must be positive and max >= initial");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.dataDir = dataDir;
    b.listen.addAll(listen);
    b.serve.addAll(serve);
    b.gateway = gateway.orElse(null);
    b.routes.addAll(routes);
    b.methodProfile = methodProfile;
    b.peers.addAll(peers);
    b.domain = domain;
    b.metrics = metrics.orElse(null);
    b.keyType = keyType;
    b.receipts = receipts;
    b.peerRedialInitial = peerRedialInitial;
    b.peerRedialMax = peerRedialMax;
    b.blockedAddresses = blockedAddresses.orElse(null);
    b.receiptSampling = receiptSampling;
    b.hedgeBudgetPercent = hedgeBudgetPercent;
    b.epochs = epochs;
    return b;
  }

  /**
   * Loads the blocked-addresses list ({@link io.disjoint.relay.eth.AddressPolicy#NONE} without
   * one); a missing file or a bad line is a {@link ConfigException} naming the flag, file and line.
   */
  public io.disjoint.relay.eth.AddressPolicy addressPolicy() {
    if (blockedAddresses.isEmpty()) {
      return io.disjoint.relay.eth.AddressPolicy.NONE;
    }
    try {
      return io.disjoint.relay.eth.AddressPolicy.load(blockedAddresses.get());
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new ConfigException("--blocked-addresses: " + e.getMessage(), e);
    }
  }

  /** Chains this node serves, in flag order. */
  public List<String> servedChains() {
    return serve.stream().map(ServeSpec::chain).toList();
  }

  /** Chains the gateway accepts: the served ones, then the --route ones, without repeats. */
  public List<String> gatewayChains() {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(servedChains());
    all.addAll(routes);
    return List.copyOf(all);
  }

  /** Builder with the named defaults; {@link #build()} validates. */
  public static final class Builder {
    private Path dataDir;
    private final List<String> listen = new ArrayList<>();
    private final List<ServeSpec> serve = new ArrayList<>();
    private HostPort gateway;
    private final List<String> routes = new ArrayList<>();
    private String methodProfile = DEFAULT_METHOD_PROFILE;
    private final List<String> peers = new ArrayList<>();
    private DomainClaim domain = DomainClaim.UNDECLARED;
    private HostPort metrics;
    private String keyType = DEFAULT_KEY_TYPE;
    private boolean receipts = true;
    private Duration peerRedialInitial = DEFAULT_PEER_REDIAL_INITIAL;
    private Duration peerRedialMax = DEFAULT_PEER_REDIAL_MAX;
    private Path blockedAddresses;
    private io.disjoint.node.payment.ReceiptSampling receiptSampling = io.disjoint.node.payment.ReceiptSampling.DEFAULTS;
    private double hedgeBudgetPercent = DEFAULT_HEDGE_BUDGET_PERCENT;
    private io.disjoint.staking.receipt.EpochSchedule epochs = io.disjoint.node.payment.PaymentWiring.EPOCHS;

    private Builder() {}

    /**
     * Epoch length in seconds (epochs counted from the Unix epoch); must equal the ledger's
     * ({@code disjoint stake init --epoch-seconds}). Out of range: a {@link ConfigException} naming the flag.
     */
    public Builder epochSeconds(long seconds) {
      if (seconds < 1 || seconds > 366L * 24 * 3600) {
        throw new ConfigException("--epoch-seconds expects 1 to 31622400 seconds (default 3600, the ledger's), got " + seconds);
      }
      this.epochs = new io.disjoint.staking.receipt.EpochSchedule(0, seconds * 1000);
      return this;
    }

    /**
     * Receipt sampling; each argument may be null to keep the current value. An out-of-range value
     * is a {@link ConfigException} naming its flag.
     */
    public Builder receiptSampling(Integer verifyOneIn, Integer verifyFirst, Integer auditOneIn) {
      io.disjoint.node.payment.ReceiptSampling s = receiptSampling;
      try {
        receiptSampling = new io.disjoint.node.payment.ReceiptSampling(
            verifyOneIn != null ? verifyOneIn : s.verifyOneIn(),
            verifyFirst != null ? verifyFirst : s.verifyFirstPerGateway(),
            auditOneIn != null ? auditOneIn : s.auditOneIn(),
            s.batchSignatures());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage(), e);
      }
      return this;
    }

    /**
     * Gateway: batched receipt signatures ({@code --receipt-batch on}, the default) or a signature
     * per receipt ({@code off}).
     */
    public Builder receiptBatch(boolean on) {
      receiptSampling = receiptSampling.withBatchSignatures(on);
      return this;
    }

    /** {@code on} or {@code off}; anything else is a {@link ConfigException} naming {@code flag}. */
    public Builder receiptBatch(String onOff, String flag) {
      return switch (onOff) {
        case "on" -> receiptBatch(true);
        case "off" -> receiptBatch(false);
        default -> throw new ConfigException(flag + " expects on or off, got \"" + onOff + "\"");
      };
    }

    public Builder hedgeBudgetPercent(double percent) {
      this.hedgeBudgetPercent = percent;
      return this;
    }

    public Builder blockedAddresses(Path file) {
      this.blockedAddresses = file;
      return this;
    }

    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    public Builder listen(String multiaddr) {
      listen.add(Objects.requireNonNull(multiaddr, "multiaddr").trim());
      return this;
    }

    public Builder clearListen() {
      listen.clear();
      return this;
    }

    public Builder serve(ServeSpec spec) {
      serve.add(Objects.requireNonNull(spec, "spec"));
      return this;
    }

    public Builder serve(String chainEqualsUrl) {
      return serve(ServeSpec.parse(chainEqualsUrl, "--serve"));
    }

    public Builder clearServe() {
      serve.clear();
      return this;
    }

    public Builder gateway(HostPort where) {
      this.gateway = where;
      return this;
    }

    public Builder route(String chain) {
      routes.add(Objects.requireNonNull(chain, "chain").trim());
      return this;
    }

    public Builder clearRoutes() {
      routes.clear();
      return this;
    }

    public Builder methodProfile(String profile) {
      this.methodProfile = Objects.requireNonNull(profile, "profile").trim();
      return this;
    }

    public Builder peer(String multiaddr) {
      peers.add(Objects.requireNonNull(multiaddr, "multiaddr").trim());
      return this;
    }

    public Builder clearPeers() {
      peers.clear();
      return this;
    }

    public Builder domain(DomainClaim claim) {
      this.domain = Objects.requireNonNull(claim, "claim");
      return this;
    }

    public Builder metrics(HostPort where) {
      this.metrics = where;
      return this;
    }

    public Builder keyType(String type) {
      this.keyType = Objects.requireNonNull(type, "type").toLowerCase(Locale.ROOT);
      return this;
    }

    public Builder receipts(boolean on) {
      this.receipts = on;
      return this;
    }

    public Builder peerRedial(Duration initial, Duration max) {
      this.peerRedialInitial = Objects.requireNonNull(initial, "initial");
      this.peerRedialMax = Objects.requireNonNull(max, "max");
      return this;
    }

    public NodeConfig build() {
      List<String> effectiveListen = listen.isEmpty() ? List.of(DEFAULT_LISTEN) : listen;
      return new NodeConfig(dataDir, effectiveListen, serve, Optional.ofNullable(gateway), routes,
          methodProfile, peers,
          domain, Optional.ofNullable(metrics), keyType, receipts, peerRedialInitial, peerRedialMax,
          Optional.ofNullable(blockedAddresses), receiptSampling, hedgeBudgetPercent, epochs);
    }
  }
}
