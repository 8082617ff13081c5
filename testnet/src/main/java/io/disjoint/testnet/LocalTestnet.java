package io.disjoint.testnet;

import io.disjoint.node.config.HostPort;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.node.config.ServeSpec;
import io.disjoint.testnet.layout.Layout;
import io.disjoint.testnet.layout.LayoutNode;
import io.disjoint.testnet.proc.AnvilLauncher;
import io.disjoint.testnet.proc.FreePorts;
import io.disjoint.testnet.proc.MetricsScrape;
import io.disjoint.testnet.proc.NodeProcess;
import io.disjoint.testnet.proc.RepoPaths;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A local Disjoint network on 127.0.0.1: one anvil chain node, serving nodes with failure
 * domains from a layout (each a separate JVM process), and one gateway node peered to all of
 * them. Drills kill, stop and restart nodes by name or by failure domain.
 */
public final class LocalTestnet implements AutoCloseable {
  /** Gauge the node exports with the number of peers whose hello it has accepted. */
  public static final String PEERS_METRIC = "disjoint_directory_peers";
  private static final int PORT_ATTEMPTS = 3;

  /** A node of the testnet and its fixed ports (kept across restarts). */
  public static final class Member {
    private final LayoutNode layout;
    private final NodeConfig config;
    private final Path dir;
    private final Path configFile;
    private final URI metricsUrl;
    private volatile NodeProcess process;
    private volatile String address;

    Member(LayoutNode layout, NodeConfig config, Path dir, Path configFile, URI metricsUrl) {
      this.layout = layout;
      this.config = config;
      this.dir = dir;
      this.configFile = configFile;
      this.metricsUrl = metricsUrl;
    }

    public String name() {
      return layout.name();
    }

    public LayoutNode layout() {
      return layout;
    }

    public NodeConfig config() {
      return config;
    }

    public Path dataDir() {
      return config.dataDir();
    }

    public Path dir() {
      return dir;
    }

    public URI metricsUrl() {
      return metricsUrl;
    }

    /** {@code <multiaddr>/p2p/<peer id>} as the node printed it. */
    public String address() {
      return address;
    }

    public String peerId() {
      return address.substring(address.lastIndexOf("/p2p/") + 5);
    }

    public NodeProcess process() {
      return process;
    }

    public boolean isAlive() {
      NodeProcess p = process;
      return p != null && p.isAlive();
    }
  }

  private final Builder settings;
  private final Layout layout;
  private AnvilLauncher.Anvil anvil;
  private boolean ownsAnvil;
  private final Map<String, Member> serving = new LinkedHashMap<>();
  private Member gateway;
  private URI gatewayHttp;

  private LocalTestnet(Builder b) {
    this.settings = b;
    this.layout = b.layout.withNodeCount(b.nodeCount == 0 ? b.layout.nodes().size() : b.nodeCount);
  }

  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  private void say(String line) {
    settings.progress.accept(line);
  }

  private LocalTestnet start() {
    try {
      createDirectories(settings.workDir);
      if (settings.existingAnvil != null) {
        anvil = settings.existingAnvil;
      } else {
        say("starting anvil (chain " + layout.chain() + ")");
        anvil = settings.anvilLauncher.start(settings.anvilOptions, settings.workDir.resolve("anvil.log"));
        ownsAnvil = true;
      }
      say("anvil answers at " + anvil.httpUrl());
      say("starting " + layout.nodes().size() + " serving nodes");
      List<Member> started = startAll(layout.nodes(), n -> NodeConfig.builder().serve(new ServeSpec(layout.chain(),
          settings.upstreamOverrides.getOrDefault(n.name(), anvil.httpUrl()))));
      for (Member m : started) {
        serving.put(m.name(), m);
        say("  " + m.name() + "  " + m.layout().domain().toFlag() + "  " + m.address());
      }
      say("starting the gateway node, peered to all " + serving.size());
      gateway = startAll(List.of(layout.gateway()), n -> {
        NodeConfig.Builder gw = NodeConfig.builder().gateway(new HostPort("127.0.0.1", settings.gatewayPort))
            .route(layout.chain())
            .methodProfile(settings.methodProfile);
        serving.values().forEach(m -> gw.peer(m.address()));
        return gw;
      }).get(0);
      gatewayHttp = gateway.process().awaitGateway(layout.chain(), settings.startTimeout);
      awaitPeersKnown(serving.size(), settings.startTimeout);
      say("gateway knows all " + serving.size() + " serving nodes");
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Starts the nodes in parallel and waits for their listening lines. A node that could not bind
   * a port picked for it (taken in between by another process) gets new ports and another try.
   */
  private List<Member> startAll(List<LayoutNode> nodes, Function<LayoutNode, NodeConfig.Builder> configFor) {
    List<Member> members = new ArrayList<>();
    for (LayoutNode n : nodes) {
      Member m = member(n, configFor.apply(n));
      launch(m);
      members.add(m);
    }
    for (int i = 0; i < members.size(); i++) {
      for (int attempt = 1; ; attempt++) {
        Member m = members.get(i);
        try {
          awaitListening(m);
          break;
        } catch (TestnetException e) {
          if (attempt >= PORT_ATTEMPTS || m.isAlive() || !m.process().tailLog(5).contains("Address already in use")) {
            throw e;
          }
          say("  " + m.name() + ": a port was taken meanwhile; retrying with new ports");
          Member again = member(m.layout(), configFor.apply(m.layout()));
          launch(again);
          members.set(i, again);
        }
      }
    }
    return members;
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TestnetException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  private Member member(LayoutNode n, NodeConfig.Builder b) {
    Path dir = settings.workDir.resolve(n.name());
    int p2pPort = FreePorts.loopback();
    int metricsPort = FreePorts.loopback();
    if (!n.blocked().isEmpty()) {
      Path list = dir.resolve("blocked-addresses.txt").toAbsolutePath();
      StringBuilder text = new StringBuilder("# written by the local testnet launcher from the layout's 'blocked' list\n");
      n.blocked().forEach(a -> text.append(a).append('\n'));
      try {
        Files.createDirectories(dir);
        Files.writeString(list, text);
      } catch (IOException e) {
        throw new TestnetException("cannot write " + list + ": " + e.getMessage(), e);
      }
      b.blockedAddresses(list);
    }
    NodeConfig config = b.dataDir(dir.resolve("data").toAbsolutePath())
        .listen("/ip4/127.0.0.1/tcp/" + p2pPort)
        .domain(n.domain())
        .metrics(new HostPort("127.0.0.1", metricsPort))
        .build();
    Path file = dir.resolve("node.toml");
    try {
      Files.createDirectories(dir);
      Files.writeString(file, NodeConfigToml.render(config));
    } catch (IOException e) {
      throw new TestnetException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return new Member(n, config, dir, file, URI.create("http://127.0.0.1:" + metricsPort + "/metrics"));
  }

  private void launch(Member m) {
    m.process = NodeProcess.start(m.name(), settings.launch, m.configFile, m.dir);
  }

  private void awaitListening(Member m) {
    m.address = m.process.awaitListening(settings.startTimeout);
  }

  /** Waits until the gateway has accepted hellos from at least {@code count} peers. */
  public void awaitPeersKnown(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    double seen = -1;
    while (System.nanoTime() < deadline) {
      try {
        OptionalDouble v = MetricsScrape.sum(MetricsScrape.fetch(gateway.metricsUrl()), PEERS_METRIC, "");
        seen = v.orElse(-1);
        if (seen >= count) {
          return;
        }
      } catch (IOException e) {
        // not serving metrics yet
      }
      sleep(100);
    }
    throw new TestnetException("the gateway knows " + (seen < 0 ? "no" : (long) seen) + " peers after "
        + timeout.toSeconds() + " s, expected " + count + "; see " + gateway.dir().resolve("node.log"));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestnetException("interrupted", e);
    }
  }

  public Layout layout() {
    return layout;
  }

  public String chain() {
    return layout.chain();
  }

  public AnvilLauncher.Anvil anvil() {
    return anvil;
  }

  /** {@code http://127.0.0.1:PORT/<chain>}. */
  public URI gatewayHttp() {
    return gatewayHttp;
  }

  /** {@code ws://127.0.0.1:PORT/<chain>} on the same port. */
  public URI gatewayWs() {
    return URI.create("ws" + gatewayHttp.toString().substring("http".length()));
  }

  public Member gateway() {
    return gateway;
  }

  public List<Member> servingNodes() {
    return List.copyOf(serving.values());
  }

  public Member node(String name) {
    Member m = serving.get(name);
    if (m == null) {
      throw new TestnetException("no serving node named " + name + " (nodes: " + serving.keySet() + ")");
    }
    return m;
  }

  /** SIGKILLs every serving node whose layout entry matches; returns them. */
  public List<Member> kill(Predicate<LayoutNode> which) {
    List<Member> killed = new ArrayList<>();
    for (Member m : serving.values()) {
      if (which.test(m.layout()) && m.isAlive()) {
        m.process().kill();
        killed.add(m);
      }
    }
    return killed;
  }

  /** Starts a stopped or killed serving node again with the same key, ports and data dir. */
  public void restart(String name) {
    Member m = node(name);
    if (m.isAlive()) {
      throw new TestnetException("node " + name + " is still running");
    }
    launch(m);
    awaitListening(m);
  }

  @Override
  public void close() {
    List<Member> all = new ArrayList<>();
    if (gateway != null) {
      all.add(gateway);
    }
    all.addAll(serving.values());
    all.parallelStream().filter(m -> m.process() != null).forEach(m -> m.process().stop(Duration.ofSeconds(10)));
    if (anvil != null && ownsAnvil) {
      anvil.close();
    }
  }

  /** Settings with named defaults. */
  public static final class Builder {
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    private final Path workDir;
    private Layout layout = Layout.defaultLayout();
    private int nodeCount;
    private int gatewayPort;
    private AnvilLauncher anvilLauncher;
    private AnvilLauncher.Options anvilOptions = AnvilLauncher.Options.defaults();
    private AnvilLauncher.Anvil existingAnvil;
    private NodeProcess.Launch launch = NodeProcess.Launch.ofCurrentJvm();
    private final Map<String, URI> upstreamOverrides = new HashMap<>();
    private Consumer<String> progress = line -> {};
    private Duration startTimeout = DEFAULT_START_TIMEOUT;
    private String methodProfile = NodeConfig.DEFAULT_METHOD_PROFILE;

    private Builder(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir").toAbsolutePath();
    }

    public Builder layout(Layout l) {
      this.layout = Objects.requireNonNull(l, "layout");
      return this;
    }

    /** Number of serving nodes; 0 (default) = every node of the layout. */
    public Builder nodes(int count) {
      if (count < 0) {
        throw new TestnetException("--nodes must be at least 1, got " + count);
      }
      this.nodeCount = count;
      return this;
    }

    /** Gateway HTTP port on 127.0.0.1; 0 (default) = any free port. */
    public Builder gatewayPort(int port) {
      if (port < 0 || port > 65_535) {
        throw new TestnetException("--gateway-port must be 0..65535, got " + port);
      }
      this.gatewayPort = port;
      return this;
    }

    public Builder anvil(AnvilLauncher launcher, AnvilLauncher.Options options) {
      this.anvilLauncher = Objects.requireNonNull(launcher, "launcher");
      this.anvilOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Use an anvil the caller started (and stops) instead of starting one. */
    public Builder existingAnvil(AnvilLauncher.Anvil running) {
      this.existingAnvil = Objects.requireNonNull(running, "running");
      return this;
    }

    /** Serve node {@code name} from this upstream instead of the shared anvil (for drills). */
    public Builder upstream(String name, URI upstream) {
      upstreamOverrides.put(name, upstream);
      return this;
    }

    /** The gateway's method-table profile, e.g. strict for quorum reads. */
    public Builder methodProfile(String profile) {
      this.methodProfile = Objects.requireNonNull(profile, "profile");
      return this;
    }

    public Builder launch(NodeProcess.Launch l) {
      this.launch = Objects.requireNonNull(l, "launch");
      return this;
    }

    public Builder progress(Consumer<String> sink) {
      this.progress = Objects.requireNonNull(sink, "sink");
      return this;
    }

    public Builder startTimeout(Duration d) {
      this.startTimeout = Objects.requireNonNull(d, "startTimeout");
      return this;
    }

    public LocalTestnet start() {
      if (anvilLauncher == null && existingAnvil == null) {
        anvilLauncher = AnvilLauncher.fromFixture(RepoPaths.locate());
      }
      return new LocalTestnet(this).start();
    }
  }
}
