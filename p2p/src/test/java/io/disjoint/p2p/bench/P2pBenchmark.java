package io.disjoint.p2p.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.interop.JavaHosts;
import io.disjoint.p2p.interop.JsFixture;
import io.disjoint.p2p.multiaddr.Multiaddr;
import io.netty.util.Version;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Loopback benchmark of the Java libp2p host against js-libp2p 3.x, both measured in the same run
 * on the same machine: sequential handshakes per second (dial + close, each a full TCP +
 * multistream + Noise XX + Yamux upgrade) and throughput over 1 and 16 streams of one connection
 * in 64 KiB writes. Rounds alternate Java and js. Each figure is given per wall-clock second and per
 * CPU second of the measuring process (both ends of the connection live in that one process), the
 * second being the fairer comparison on a machine shared with other work. Not a test: run it with
 * scripts/bench-p2p.sh.
 *
 * <p>Both implementations get the same untimed warm-up before they are measured: {@code --warmup}
 * handshakes and {@code --warmup-mib} MiB over each stream count, in {@value #WARMUP_SLICES}
 * interleaved slices shaped like a round (so that code shared by handshakes and transfers is
 * compiled with both in its profile, not recompiled when the first round switches between them).
 * The JVM needs it more (its JIT
 * compiles the cipher, Noise, Yamux and Netty pipeline paths over the first GiB or so; without it
 * the first round ran at half the MB per CPU second of the third), but js gets the same, in each
 * of its processes. The JIT's compile time during each measured run is logged and summed in the
 * report, to show whether the warm-up was long enough on the machine's load.
 *
 * <pre>
 *   scripts/bench-p2p.sh [--handshakes 500] [--warmup 200] [--warmup-mib 1024] [--mib 256] [--streams 1,16] [--rounds 3] [--no-js]
 * </pre>
 */
public final class P2pBenchmark {
  private static final long MIB = 1024 * 1024;
  private static final int WARMUP_SLICES = 4;

  private record Options(
      int handshakes, int warmupHandshakes, int warmupMib, int mib, List<Integer> streams, boolean js, int rounds) {
    Options {
      if (handshakes <= 0 || mib <= 0 || rounds <= 0 || streams.isEmpty() || streams.stream().anyMatch(n -> n <= 0)) {
        throw new IllegalArgumentException("--handshakes, --mib, --rounds and --streams must be positive");
      }
      if (warmupHandshakes < 0 || warmupMib < 0) {
        throw new IllegalArgumentException("--warmup and --warmup-mib must not be negative");
      }
      streams = List.copyOf(streams);
    }

    static Options parse(String[] args) {
      int handshakes = 500;
      int warmup = 200;
      int warmupMib = 1024;
      int rounds = 3;
      int mib = 256;
      List<Integer> streams = List.of(1, 16);
      boolean js = true;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--no-js" -> js = false;
          case "--handshakes" -> handshakes = Integer.parseInt(value(args, ++i));
          case "--warmup" -> warmup = Integer.parseInt(value(args, ++i));
          case "--warmup-mib" -> warmupMib = Integer.parseInt(value(args, ++i));
          case "--mib" -> mib = Integer.parseInt(value(args, ++i));
          case "--rounds" -> rounds = Integer.parseInt(value(args, ++i));
          case "--streams" -> streams = Arrays.stream(value(args, ++i).split(",")).map(Integer::parseInt).toList();
          default -> throw new IllegalArgumentException("unknown flag " + args[i]
              + "; flags: --handshakes N --warmup N --warmup-mib N --mib N --streams 1,16 --rounds N --no-js");
        }
      }
      return new Options(handshakes, warmup, warmupMib, mib, streams, js, rounds);
    }

    private static String value(String[] args, int i) {
      if (i >= args.length) {
        throw new IllegalArgumentException(args[i - 1] + " needs a value");
      }
      return args[i];
    }

    String command() {
      return "scripts/bench-p2p.sh --handshakes " + handshakes + " --warmup " + warmupHandshakes
          + " --warmup-mib " + warmupMib + " --mib " + mib
          + " --streams " + String.join(",", streams.stream().map(String::valueOf).toList()) + " --rounds " + rounds
          + (js ? "" : " --no-js");
    }
  }

  /**
   * A rate per wall-clock second and per CPU second of the measuring process, and how long the
   * JIT compiled meanwhile (-1 where unknown): more than a few per cent of the wall time means the
   * warm-up was too short for this machine's load.
   */
  private record Rate(double perSecond, double perCpuSecond, long jitMillis) {}

  /** One round of one implementation: handshakes, and MB (10^6 bytes) per stream count. */
  private record Figures(String impl, Rate handshakes, Map<Integer, Rate> megabytes) {}

  public static void main(String[] args) throws Exception {
    Options opts = Options.parse(args);
    List<Figures> java = new ArrayList<>();
    List<Figures> js = new ArrayList<>();
    Host listener = JavaHosts.newLoopbackHost();
    Host dialer = JavaHosts.newLoopbackHost();
    listener.setStreamHandler(BenchProtocol.ID, BenchProtocol.sink());
    listener.start().get(10, TimeUnit.SECONDS);
    dialer.start().get(10, TimeUnit.SECONDS);
    try {
      Multiaddr addr = listener.listenAddrs().get(0).withPeerId(listener.peerId());
      log("java: warm-up (" + opts.warmupHandshakes() + " handshakes, " + opts.warmupMib() + " MiB over "
          + opts.streams() + " streams)");
      for (int slice = 0; slice < WARMUP_SLICES; slice++) {
        handshakes(dialer, addr, opts.warmupHandshakes() / WARMUP_SLICES);
        for (int n : opts.streams()) {
          if (opts.warmupMib() > 0) {
            throughput(dialer, addr, n, opts.warmupMib() * MIB / WARMUP_SLICES);
          }
        }
      }
      // Rounds alternate Java and js so that load from other work on the machine hits both alike.
      for (int round = 1; round <= opts.rounds(); round++) {
        log("round " + round + " of " + opts.rounds());
        java.add(measureJava(opts, dialer, addr));
        if (opts.js()) {
          js.add(measureJs(opts));
        }
      }
    } finally {
      dialer.stop().get(10, TimeUnit.SECONDS);
      listener.stop().get(10, TimeUnit.SECONDS);
    }
    printReport(opts, java, js);
    System.exit(0);
  }

  private static Figures measureJava(Options opts, Host dialer, Multiaddr addr) throws Exception {
    Rate hs = handshakes(dialer, addr, opts.handshakes());
    log(String.format(Locale.ROOT, "java: %.1f handshakes/s (%.1f per CPU second; JIT compiled %d ms meanwhile)",
        hs.perSecond(), hs.perCpuSecond(), hs.jitMillis()));
    Map<Integer, Rate> mb = new LinkedHashMap<>();
    for (int n : opts.streams()) {
      Rate r = throughput(dialer, addr, n, opts.mib() * MIB);
      log(String.format(Locale.ROOT, "java: %d stream(s) %.1f MB/s (%.1f MB per CPU second; JIT compiled %d ms meanwhile)",
          n, r.perSecond(), r.perCpuSecond(), r.jitMillis()));
      mb.put(n, r);
    }
    String impl = "Java host (Netty " + Version.identify().values().iterator().next().artifactVersion() + ", "
        + System.getProperty("java.vm.name") + " " + Runtime.version() + ")";
    return new Figures(impl, hs, mb);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  private static Rate rate(double units, long wallNanos, long cpuNanos, long jitMillisBefore) {
    long jit = jitMillisBefore < 0 ? -1 : jitMillis() - jitMillisBefore;
    return new Rate(units / (wallNanos / 1e9), units / (cpuNanos / 1e9), jit);
  }

  private static Rate handshakes(Host dialer, Multiaddr addr, int count) throws Exception {
    long jit = jitMillis();
    long cpu = processCpuNanos();
    long started = System.nanoTime();
    for (int i = 0; i < count; i++) {
      Connection c = dialer.dial(addr).get(10, TimeUnit.SECONDS);
      c.close().get(10, TimeUnit.SECONDS);
    }
    return rate(count, System.nanoTime() - started, processCpuNanos() - cpu, jit);
  }

  private static Rate throughput(Host dialer, Multiaddr addr, int streamCount, long totalBytes) throws Exception {
    Connection c = dialer.dial(addr).get(10, TimeUnit.SECONDS);
    try {
      long perStream = totalBytes / streamCount;
      List<Stream> streams = new ArrayList<>();
      for (int i = 0; i < streamCount; i++) {
        streams.add(c.newStream(BenchProtocol.ID).get(10, TimeUnit.SECONDS));
      }
      long jit = jitMillis();
      long cpu = processCpuNanos();
      long started = System.nanoTime();
      CompletableFuture.allOf(streams.stream().map(s -> BenchProtocol.send(s, perStream)).toArray(CompletableFuture[]::new))
          .get(5, TimeUnit.MINUTES);
      return rate(perStream * streamCount / 1e6, System.nanoTime() - started, processCpuNanos() - cpu, jit);
    } finally {
      c.close().get(10, TimeUnit.SECONDS);
    }
  }

  private static Figures measureJs(Options opts) throws IOException, InterruptedException {
    JsFixture.requireInstalled();
    List<String> cmd = new ArrayList<>(JsFixture.nodeWithPolyfill());
    cmd.addAll(List.of("libp2p-bench.mjs",
        "--handshakes", Integer.toString(opts.handshakes()),
        "--warmup", Integer.toString(opts.warmupHandshakes()),
        "--warmup-mib", Integer.toString(opts.warmupMib()),
        "--mib", Integer.toString(opts.mib()),
        "--streams", String.join(",", opts.streams().stream().map(String::valueOf).toList())));
    log("js: " + String.join(" ", cmd));
    Process p = new ProcessBuilder(cmd).directory(JsFixture.dir().toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("js benchmark failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + "): " + out);
      }
      JsonNode r = new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
      Map<Integer, Rate> mb = new LinkedHashMap<>();
      for (JsonNode t : r.get("throughput")) {
        mb.put(t.get("streams").asInt(), new Rate(t.get("mbPerSec").asDouble(), t.get("mbPerCpuSec").asDouble(), -1));
      }
      Rate hs = new Rate(r.get("handshakesPerSec").asDouble(), r.get("handshakesPerCpuSec").asDouble(), -1);
      return new Figures(r.get("impl").asText() + " (Node " + r.get("node").asText() + ")", hs, mb);
    } finally {
      p.destroyForcibly();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void printReport(Options opts, List<Figures> java, List<Figures> js) {
    StringBuilder sb = new StringBuilder();
    sb.append("\nMedians of ").append(opts.rounds()).append(" alternating rounds (each round's value in brackets).\n");
    for (boolean perCpu : new boolean[] {false, true}) {
      ToDoubleFunction<Rate> pick = perCpu ? Rate::perCpuSecond : Rate::perSecond;
      String unit = perCpu ? "per CPU second" : "per second";
      sb.append("\n| figure (").append(unit).append(") | Java | js-libp2p | Java / js |\n|---|---|---|---|\n");
      row(sb, "sequential handshakes (dial + close)", java, js, f -> pick.applyAsDouble(f.handshakes()));
      for (int n : opts.streams()) {
        row(sb, "MB, " + n + " stream" + (n == 1 ? "" : "s") + ", " + opts.mib() + " MiB in 64 KiB writes", java, js,
            f -> pick.applyAsDouble(f.megabytes().get(n)));
      }
    }
    sb.append("\nJava: ").append(java.get(0).impl()).append('\n');
    if (!js.isEmpty()) {
      sb.append("js:   ").append(js.get(0).impl()).append('\n');
    }
    sb.append("date: ").append(LocalDate.now(ZoneOffset.UTC)).append(", cores: ").append(Runtime.getRuntime().availableProcessors())
        .append(String.format(Locale.ROOT, ", load average at the end: %.1f",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
        .append('\n');
    long jit = java.stream().mapToLong(f -> f.megabytes().values().stream().mapToLong(Rate::jitMillis).sum()
        + f.handshakes().jitMillis()).sum();
    sb.append("Java JIT compilation during the measured runs: ").append(jit)
        .append(" ms in total (near zero when the warm-up sufficed)\n");
    sb.append("command: ").append(opts.command()).append('\n');
    System.out.print(sb);
    System.out.flush();
  }

  private static void row(StringBuilder sb, String name, List<Figures> java, List<Figures> js, ToDoubleFunction<Figures> f) {
    double javaMedian = median(java.stream().map(f::applyAsDouble).toList());
    sb.append("| ").append(name).append(" | ").append(cell(javaMedian, java, f)).append(" | ");
    if (js.isEmpty()) {
      sb.append("- | - |\n");
      return;
    }
    double jsMedian = median(js.stream().map(f::applyAsDouble).toList());
    sb.append(cell(jsMedian, js, f)).append(" | ").append(String.format(Locale.ROOT, "%.2fx", javaMedian / jsMedian)).append(" |\n");
  }

  private static String cell(double median, List<Figures> runs, ToDoubleFunction<Figures> f) {
    return String.format(Locale.ROOT, "%.0f (%s)", median,
        String.join(" / ", runs.stream().map(r -> String.format(Locale.ROOT, "%.0f", f.applyAsDouble(r))).toList()));
  }

  private static void log(String msg) {
    System.err.println("bench-p2p: " + msg);
  }

  private P2pBenchmark() {}
}
