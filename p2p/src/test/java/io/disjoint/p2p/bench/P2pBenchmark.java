package io.disjoint.p2p.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.interop.JsFixture;
import io.disjoint.p2p.interop.JavaHosts;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.io.IOException;
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

/**
 * Loopback benchmark of the Java libp2p host against js-libp2p 3.x, both measured in the same run
 * on the same machine: sequential handshakes per second (dial + close, each a full TCP +
 * multistream + Noise XX + Yamux upgrade) and throughput over 1 and 16 streams of one connection
 * in 64 KiB writes. Not a test: run it with scripts/bench-p2p.sh.
 *
 * <pre>
 *   scripts/bench-p2p.sh [--handshakes 1000] [--mib 256] [--streams 1,16] [--no-js]
 * </pre>
 */
public final class P2pBenchmark {
  private static final long MIB = 1024 * 1024;

  private record Options(int handshakes, int warmupHandshakes, int mib, List<Integer> streams, boolean js) {
    Options {
      if (handshakes <= 0 || warmupHandshakes < 0 || mib <= 0 || streams.isEmpty() || streams.stream().anyMatch(n -> n <= 0)) {
        throw new IllegalArgumentException("--handshakes, --mib and --streams must be positive");
      }
      streams = List.copyOf(streams);
    }

    static Options parse(String[] args) {
      int handshakes = 1000;
      int warmup = 200;
      int mib = 256;
      List<Integer> streams = List.of(1, 16);
      boolean js = true;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--no-js" -> js = false;
          case "--handshakes" -> handshakes = Integer.parseInt(value(args, ++i));
          case "--warmup" -> warmup = Integer.parseInt(value(args, ++i));
          case "--mib" -> mib = Integer.parseInt(value(args, ++i));
          case "--streams" -> streams = Arrays.stream(value(args, ++i).split(",")).map(Integer::parseInt).toList();
          default -> throw new IllegalArgumentException("unknown flag " + args[i]
              + "; flags: --handshakes N --warmup N --mib N --streams 1,16 --no-js");
        }
      }
      return new Options(handshakes, warmup, mib, streams, js);
    }

    private static String value(String[] args, int i) {
      if (i >= args.length) {
        throw new IllegalArgumentException(args[i - 1] + " needs a value");
      }
      return args[i];
    }
  }

  /** One implementation's figures: handshakes/s and MB/s (10^6 bytes) per stream count. */
  private record Figures(String impl, double handshakesPerSec, Map<Integer, Double> mbPerSec) {}

  public static void main(String[] args) throws Exception {
    Options opts = Options.parse(args);
    Figures java = measureJava(opts);
    Figures js = opts.js() ? measureJs(opts) : null;
    printReport(opts, java, js);
    System.exit(0);
  }

  private static Figures measureJava(Options opts) throws Exception {
    Host listener = JavaHosts.newLoopbackHost();
    Host dialer = JavaHosts.newLoopbackHost();
    listener.setStreamHandler(BenchProtocol.ID, BenchProtocol.sink());
    listener.start().get(10, TimeUnit.SECONDS);
    dialer.start().get(10, TimeUnit.SECONDS);
    try {
      Multiaddr addr = listener.listenAddrs().get(0).withPeerId(listener.peerId());
      log("java: warm-up (" + opts.warmupHandshakes() + " handshakes, 64 MiB)");
      handshakes(dialer, addr, opts.warmupHandshakes());
      throughput(dialer, addr, 1, 64 * MIB);
      log("java: " + opts.handshakes() + " sequential dial + close");
      double hs = handshakes(dialer, addr, opts.handshakes());
      log(String.format(Locale.ROOT, "java: %.1f handshakes/s", hs));
      Map<Integer, Double> mbps = new LinkedHashMap<>();
      for (int n : opts.streams()) {
        double r = throughput(dialer, addr, n, opts.mib() * MIB);
        log(String.format(Locale.ROOT, "java: %d stream(s) %.1f MB/s", n, r));
        mbps.put(n, r);
      }
      return new Figures("Java host (Netty, " + System.getProperty("java.vm.name") + " " + Runtime.version() + ")", hs, mbps);
    } finally {
      dialer.stop().get(10, TimeUnit.SECONDS);
      listener.stop().get(10, TimeUnit.SECONDS);
    }
  }

  private static double handshakes(Host dialer, Multiaddr addr, int count) throws Exception {
    long started = System.nanoTime();
    for (int i = 0; i < count; i++) {
      Connection c = dialer.dial(addr).get(10, TimeUnit.SECONDS);
      c.close().get(10, TimeUnit.SECONDS);
    }
    return count / ((System.nanoTime() - started) / 1e9);
  }

  private static double throughput(Host dialer, Multiaddr addr, int streamCount, long totalBytes) throws Exception {
    Connection c = dialer.dial(addr).get(10, TimeUnit.SECONDS);
    try {
      long perStream = totalBytes / streamCount;
      List<Stream> streams = new ArrayList<>();
      for (int i = 0; i < streamCount; i++) {
        streams.add(c.newStream(BenchProtocol.ID).get(10, TimeUnit.SECONDS));
      }
      long started = System.nanoTime();
      CompletableFuture.allOf(streams.stream().map(s -> BenchProtocol.send(s, perStream)).toArray(CompletableFuture[]::new))
          .get(5, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - started) / 1e9;
      return perStream * streamCount / seconds / 1e6;
    } finally {
      c.close().get(10, TimeUnit.SECONDS);
    }
  }

  private static Figures measureJs(Options opts) throws IOException, InterruptedException {
    JsFixture.requireInstalled();
    List<String> cmd = new ArrayList<>(JsFixture.nodeWithPolyfill());
    cmd.addAll(List.of("libp2p-bench.mjs",
        "--handshakes", Integer.toString(opts.handshakes()),
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
      Map<Integer, Double> mbps = new LinkedHashMap<>();
      for (JsonNode t : r.get("throughput")) {
        mbps.put(t.get("streams").asInt(), t.get("mbPerSec").asDouble());
      }
      return new Figures(r.get("impl").asText() + " (Node " + r.get("node").asText() + ")", r.get("handshakesPerSec").asDouble(), mbps);
    } finally {
      p.destroyForcibly();
    }
  }

  private static void printReport(Options opts, Figures java, Figures js) {
    StringBuilder sb = new StringBuilder();
    sb.append("\n| figure | Java | js-libp2p | Java / js |\n|---|---|---|---|\n");
    row(sb, "sequential handshakes (dial + close) per s", java.handshakesPerSec(), js == null ? null : js.handshakesPerSec(), "%.0f");
    for (int n : opts.streams()) {
      row(sb, n + " stream" + (n == 1 ? "" : "s") + ", " + opts.mib() + " MiB in 64 KiB writes, MB/s",
          java.mbPerSec().get(n), js == null ? null : js.mbPerSec().get(n), "%.0f");
    }
    sb.append("\nJava: ").append(java.impl()).append('\n');
    if (js != null) {
      sb.append("js:   ").append(js.impl()).append('\n');
    }
    sb.append("date: ").append(LocalDate.now(ZoneOffset.UTC)).append(", cores: ").append(Runtime.getRuntime().availableProcessors())
        .append(", handshakes measured: ").append(opts.handshakes()).append('\n');
    sb.append("command: scripts/bench-p2p.sh --handshakes ").append(opts.handshakes()).append(" --mib ").append(opts.mib())
        .append(" --streams ").append(String.join(",", opts.streams().stream().map(String::valueOf).toList()))
        .append(opts.js() ? "" : " --no-js").append('\n');
    System.out.print(sb);
    System.out.flush();
  }

  private static void row(StringBuilder sb, String name, Double java, Double js, String fmt) {
    sb.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, fmt, java)).append(" | ");
    if (js == null) {
      sb.append("- | - |\n");
    } else {
      sb.append(String.format(Locale.ROOT, fmt, js)).append(" | ").append(String.format(Locale.ROOT, "%.2fx", java / js)).append(" |\n");
    }
  }

  private static void log(String msg) {
    System.err.println("bench-p2p: " + msg);
  }

  private P2pBenchmark() {}
}
