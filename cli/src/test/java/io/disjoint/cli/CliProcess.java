package io.disjoint.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@code disjoint ...} as a child JVM on the test class path, the way the launcher runs it. */
final class CliProcess implements AutoCloseable {
  private final Process process;
  private final LinkedBlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  private final List<String> allStdout = new ArrayList<>();
  private final Path stderrFile;

  private CliProcess(Process process, Path stderrFile) {
    this.process = process;
    this.stderrFile = stderrFile;
    Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (allStdout) {
            allStdout.add(line);
          }
          stdout.add(line);
        }
      } catch (IOException e) {
        // process ended
      }
    });
  }

  static CliProcess start(Path workDir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
        "-Ddisjoint.repo=" + System.getProperty("disjoint.repo", ""),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Files.createDirectories(workDir);
    Path err = Files.createTempFile(workDir, "stderr", ".log");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    return new CliProcess(p, err);
  }

  /** The next stdout line, or null if none arrives in time. */
  String nextLine(Duration timeout) throws InterruptedException {
    return stdout.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  List<String> stdoutLines() {
    synchronized (allStdout) {
      return List.copyOf(allStdout);
    }
  }

  String stderr() throws IOException {
    return Files.readString(stderrFile, StandardCharsets.UTF_8);
  }

  Process process() {
    return process;
  }

  /** SIGTERM and the exit code (-1 if it did not exit within the timeout). */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  int waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
