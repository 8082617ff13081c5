package io.disjoint.testnet.proc;

import io.disjoint.testnet.TestnetException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code disjoint run} node as a child JVM, configured by a TOML file. Its stdout lines
 * ({@code listening ...}, {@code gateway ...}) are collected and copied to stdout.log in its
 * directory; its logs (stderr) go to node.log there.
 */
public final class NodeProcess implements AutoCloseable {
  /** The entry point in the node module that runs a node from a config file. */
  public static final String MAIN_CLASS = "io.disjoint.node.NodeMain";

  /**
   * How to start node JVMs.
   *
   * @param java the java executable
   * @param classPath class path holding the node module and its dependencies
   * @param jvmOptions extra JVM options (heap, GC, system properties)
   */
  public record Launch(Path java, String classPath, List<String> jvmOptions) {
    /** The node JVMs are small; the serial collector keeps seven of them cheap on two cores. */
    public static final List<String> DEFAULT_JVM_OPTIONS =
        List.of("-Xms32m", "-Xmx320m", "-XX:+UseSerialGC", "-Xss512k",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");

    public Launch {
      Objects.requireNonNull(java, "java");
      Objects.requireNonNull(classPath, "classPath");
      jvmOptions = List.copyOf(jvmOptions);
    }

    /** The running JVM's java and class path: works from the CLI and from the test class path. */
    public static Launch ofCurrentJvm() {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      String cp = System.getProperty("java.class.path");
      List<String> opts = new ArrayList<>(DEFAULT_JVM_OPTIONS);
      // Netty's native epoll and protobuf's Unsafe use: allowed quietly where the JDK warns
      opts.add("--enable-native-access=ALL-UNNAMED");
      if (Runtime.version().feature() >= 24) {
        opts.add("--sun-misc-unsafe-memory-access=allow");
      }
      String extra = System.getProperty("disjoint.node.jvmopts", "");
      for (String o : extra.trim().split("\\s+")) {
        if (!o.isEmpty()) {
          opts.add(o);
        }
      }
      return new Launch(java, cp, opts);
    }
  }

  private final String name;
  private final Path dir;
  private final Process process;
  private final List<String> stdoutLines = new ArrayList<>();
  private final Thread reader;

  private NodeProcess(String name, Path dir, Process process) {
    this.name = name;
    this.dir = dir;
    this.process = process;
    this.reader = Thread.ofVirtual().name("stdout-" + name).start(this::pumpStdout);
  }

  /** Starts a node from {@code config}; {@code dir} receives node.log and stdout.log. */
  public static NodeProcess start(String name, Launch launch, Path config, Path dir) {
    List<String> cmd = new ArrayList<>();
    cmd.add(launch.java().toString());
    cmd.addAll(launch.jvmOptions());
    cmd.add("-cp");
    cmd.add(launch.classPath());
    cmd.add(MAIN_CLASS);
    cmd.add("--config");
    cmd.add(config.toString());
    try {
      Files.createDirectories(dir);
      Process p = new ProcessBuilder(cmd)
          .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()))
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .start();
      ChildProcesses.track(p);
      return new NodeProcess(name, dir, p);
    } catch (IOException e) {
      throw new TestnetException("cannot start node " + name + ": " + e.getMessage(), e);
    }
  }

  private void pumpStdout() {
    Path log = dir.resolve("stdout.log");
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        out.flush();
        synchronized (stdoutLines) {
          stdoutLines.add(line);
          stdoutLines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process is gone; waiters see it through isAlive()
    } finally {
      synchronized (stdoutLines) {
        stdoutLines.notifyAll();
      }
    }
  }

  public String name() {
    return name;
  }

  public Path dir() {
    return dir;
  }

  public Process process() {
    return process;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public List<String> stdoutLines() {
    synchronized (stdoutLines) {
      return List.copyOf(stdoutLines);
    }
  }

  /** Waits for the first stdout line starting with {@code prefix} and returns the rest of it. */
  public String awaitLine(String prefix, Duration timeout) {
    return awaitLine(l -> l.startsWith(prefix), "'" + prefix.trim() + "'", timeout).substring(prefix.length());
  }

  /** Waits for the first stdout line matching {@code wanted}. */
  public String awaitLine(Predicate<String> wanted, String description, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (stdoutLines) {
      while (true) {
        for (String line : stdoutLines) {
          if (wanted.test(line)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (!process.isAlive() && !reader.isAlive()) {
          throw new TestnetException("node " + name + " exited with code " + process.exitValue()
              + " before printing " + description + "; last log lines:\n" + tailLog(20));
        }
        if (left <= 0) {
          throw new TestnetException("node " + name + " did not print " + description + " within "
              + timeout.toSeconds() + " s; last log lines:\n" + tailLog(20) + "\n" + mainThreadDump());
        }
        try {
          stdoutLines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TestnetException("interrupted waiting for node " + name, e);
        }
      }
    }
  }

  /** The full {@code <multiaddr>/p2p/<peer id>} of the first listen address. */
  public String awaitListening(Duration timeout) {
    return awaitLine("listening ", timeout).trim();
  }

  /** The gateway URL printed for {@code chain} once the node can route it. */
  public URI awaitGateway(String chain, Duration timeout) {
    String line = awaitLine(l -> l.startsWith("gateway ") && l.endsWith("/" + chain),
        "a gateway URL for " + chain, timeout);
    return URI.create(line.substring("gateway ".length()).trim());
  }

  /**
   * The stuck process's main thread stack (via jcmd from this JVM's JDK), so a start-up that hangs
   * says where; the full dump is kept as thread-dump.txt in the node's directory.
   */
  private String mainThreadDump() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!process.isAlive() || !Files.isExecutable(jcmd)) {
      return "(no thread dump: process gone or jcmd missing)";
    }
    Path out = dir.resolve("thread-dump.txt");
    try {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "(jcmd did not answer within 20 s)";
      }
      List<String> all = Files.readAllLines(out, StandardCharsets.UTF_8);
      StringBuilder main = new StringBuilder("main thread of the stuck node (full dump in " + out + "):\n");
      boolean inMain = false;
      int taken = 0;
      for (String line : all) {
        if (line.startsWith("\"")) {
          inMain = line.startsWith("\"main\"");
        }
        if (inMain && taken++ < 40) {
          main.append(line).append('\n');
        }
      }
      return main.toString();
    } catch (IOException e) {
      return "(thread dump failed: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(thread dump interrupted)";
    }
  }

  public String tailLog(int lines) {
    try {
      List<String> all = Files.readAllLines(dir.resolve("node.log"), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no node.log: " + e.getMessage() + ")";
    }
  }

  /** SIGKILL: the process gets no chance to clean up. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM and wait; returns the exit code (forcibly killed after {@code grace}). */
  public int stop(Duration grace) {
    ChildProcesses.stop(process, grace.toMillis());
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
