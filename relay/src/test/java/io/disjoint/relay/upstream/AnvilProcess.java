package io.disjoint.relay.upstream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support: a real anvil (from the npm fixture {@code @foundry-rs/anvil-linux-amd64}) on
 * 127.0.0.1 and a free port, ready when it answers eth_chainId, stopped by {@link #close()}.
 *
 * <p>When the binary is missing the calling test is skipped with a message, or fails when the
 * system property {@code disjoint.ci} is {@code true}. The checkout is found through the system
 * property {@code disjoint.repo} (set by surefire) or by walking up from {@code user.dir}.
 *
 * <pre>{@code
 * try (AnvilProcess anvil = AnvilProcess.start(AnvilProcess.options().chainId(1337))) {
 *   URI http = anvil.httpUrl();   URI ws = anvil.wsUrl();
 * }
 * }</pre>
 */
public final class AnvilProcess implements AutoCloseable {
  private static final String FIXTURE = "testnet/js/node_modules/@foundry-rs";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final int port;
  private final Path log;

  private AnvilProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Start options. */
  public static final class Options {
    private long chainId = 31337;
    private Optional<Duration> blockTime = Optional.empty();
    private final List<String> extraArgs = new ArrayList<>();

    public Options chainId(long value) {
      this.chainId = value;
      return this;
    }

    /** Mine a block every interval (default: only when asked, e.g. anvil_mine). */
    public Options blockTime(Duration value) {
      this.blockTime = Optional.of(value);
      return this;
    }

    public Options arg(String value) {
      extraArgs.add(value);
      return this;
    }
  }

  public static Options options() {
    return new Options();
  }

  public static AnvilProcess start() throws IOException, InterruptedException {
    return start(options());
  }

  /** Starts anvil and waits until it answers; skips (or fails in CI) without the binary. */
  public static AnvilProcess start(Options options) throws IOException, InterruptedException {
    Path binary = requireBinary();
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      Path log = Files.createTempFile("anvil-" + port + "-", ".log");
      List<String> command = new ArrayList<>(List.of(
          binary.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
          "--chain-id", Long.toString(options.chainId)));
      options.blockTime.ifPresent(t -> {
        command.add("--block-time");
        command.add(Long.toString(Math.max(1, t.toSeconds())));
      });
      command.addAll(options.extraArgs);
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      AnvilProcess anvil = new AnvilProcess(process, port, log);
      try {
        anvil.awaitReady();
        return anvil;
      } catch (IOException e) {
        anvil.close();
        last = e; // most likely the port was taken between probing and binding: try another
      }
    }
    throw last;
  }

  /** The fixture's anvil binary, if installed. */
  public static Optional<Path> findBinary() {
    Path root = repoRoot();
    if (root == null) {
      return Optional.empty();
    }
    Path usual = root.resolve(FIXTURE).resolve("anvil-linux-amd64/bin/anvil");
    if (Files.isExecutable(usual)) {
      return Optional.of(usual);
    }
    Path fixture = root.resolve(FIXTURE);
    if (!Files.isDirectory(fixture)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.walk(fixture, 4)) {
      return files.filter(p -> p.getFileName().toString().equals("anvil") && Files.isExecutable(p) && Files.isRegularFile(p))
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static Path requireBinary() {
    Optional<Path> binary = findBinary();
    if (binary.isEmpty()) {
      String message = "anvil is not installed: run scripts/install-fixtures.sh (npm ci in testnet/js)";
      if ("true".equals(System.getProperty("disjoint.ci"))) {
        Assertions.fail(message);
      }
      Assumptions.abort(message);
    }
    return binary.get();
  }

  private static Path repoRoot() {
    String property = System.getProperty("disjoint.repo");
    if (property != null && !property.isBlank() && Files.isDirectory(Path.of(property, "testnet"))) {
      return Path.of(property).toAbsolutePath().normalize();
    }
    for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("testnet/js"))) {
        return p;
      }
    }
    return null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
      HttpRequest probe = HttpRequest.newBuilder(httpUrl())
          .timeout(Duration.ofSeconds(1))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
          .build();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IOException("anvil exited with " + process.exitValue() + ": " + output());
        }
        try {
          if (http.send(probe, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(50);
      }
    }
    throw new IOException("anvil did not answer on port " + port + " within " + READY_TIMEOUT + ": " + output());
  }

  public int port() {
    return port;
  }

  public URI httpUrl() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public URI wsUrl() {
    return URI.create("ws://127.0.0.1:" + port);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What anvil printed so far (for failure messages). */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** Kills anvil at once (SIGKILL), as an outage would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // a temp file; the OS cleans up
    }
  }
}
