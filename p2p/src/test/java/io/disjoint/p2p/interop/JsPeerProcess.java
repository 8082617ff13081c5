package io.disjoint.p2p.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A js-libp2p 3.x peer (testnet/js/libp2p-peer.mjs) in its own node process. Reads the JSON-line
 * events it prints, sends it JSON-line commands, and stops it on {@link #close()}: first by closing
 * its stdin (it shuts down cleanly), then SIGTERM, then SIGKILL.
 */
public final class JsPeerProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int STDERR_TAIL_CHARS = 16 * 1024;

  private final Process process;
  private final OutputStream stdin;
  private final List<JsonNode> events = new ArrayList<>();
  private final StringBuilder stderrTail = new StringBuilder();
  private final AtomicInteger nextCommandId = new AtomicInteger(1);
  private final Thread stdoutReader;
  private final Thread stderrReader;
  private final JsonNode listening;

  private JsPeerProcess(List<String> args, Duration startTimeout) throws IOException {
    JsFixture.requireInstalled();
    List<String> command = new ArrayList<>(JsFixture.nodeWithPolyfill());
    command.add("libp2p-peer.mjs");
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(JsFixture.dir().toFile()).redirectErrorStream(false);
    // js-libp2p's own error logs (the why of a reset stream or an aborted connection) go to stderr,
    // which close() copies into the test output
    builder.environment().putIfAbsent("DEBUG", "libp2p:*:error");
    this.process = builder.start();
    this.stdin = process.getOutputStream();
    this.stdoutReader = Thread.ofVirtual().name("js-peer-stdout").start(() -> readEvents(process.getInputStream()));
    this.stderrReader = Thread.ofVirtual().name("js-peer-stderr").start(() -> drainStderr(process.getErrorStream()));
    JsonNode ready;
    try {
      ready = awaitEvent("listening", e -> true, startTimeout);
    } catch (AssertionError | RuntimeException e) {
      close();
      throw e;
    }
    this.listening = ready;
  }

  /** A js peer that listens on 127.0.0.1 and waits; {@code extraArgs} e.g. "--key-type", "secp256k1". */
  public static JsPeerProcess listen(Duration pingInterval, String... extraArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of("listen", "--ping-interval", Long.toString(pingInterval.toMillis())));
    args.addAll(List.of(extraArgs));
    return new JsPeerProcess(args, Duration.ofSeconds(30));
  }

  /** A js peer that dials {@code target} (with /p2p/ID), pings it and calls echo once with {@code echoText}. */
  public static JsPeerProcess dial(Multiaddr target, Duration pingInterval, String echoText, String... extraArgs)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(
        "dial", target.toString(),
        "--ping-interval", Long.toString(pingInterval.toMillis()),
        "--echo", echoText));
    args.addAll(List.of(extraArgs));
    return new JsPeerProcess(args, Duration.ofSeconds(30));
  }

  public String peerId() {
    return listening.get("peerId").asText();
  }

  /** The js peer's listen address including /p2p/ID. */
  public Multiaddr listenAddr() {
    return Multiaddr.parse(listening.get("addrs").get(0).asText());
  }

  private void readEvents(InputStream out) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        JsonNode event;
        try {
          event = JSON.readTree(line);
        } catch (IOException notJson) {
          event = JSON.createObjectNode().put("event", "unparsable-line").put("line", line);
        }
        synchronized (events) {
          events.add(event);
          events.notifyAll();
        }
      }
    } catch (IOException closed) {
      // the process is gone; waiters notice through isAlive()
    } finally {
      synchronized (events) {
        events.notifyAll();
      }
    }
  }

  private void drainStderr(InputStream err) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        synchronized (stderrTail) {
          stderrTail.append(line).append('\n');
          if (stderrTail.length() > STDERR_TAIL_CHARS) {
            stderrTail.delete(0, stderrTail.length() - STDERR_TAIL_CHARS);
          }
        }
      }
    } catch (IOException closed) {
      // process ended
    }
  }

  /** Every event of that name seen so far, in order. */
  public List<JsonNode> events(String name) {
    synchronized (events) {
      return events.stream().filter(e -> name.equals(e.path("event").asText())).toList();
    }
  }

  public Optional<JsonNode> findEvent(String name, Predicate<JsonNode> match) {
    return events(name).stream().filter(match).findFirst();
  }

  /** Waits for the first event of that name matching {@code match}, seen before or after this call. */
  public JsonNode awaitEvent(String name, Predicate<JsonNode> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (events) {
      while (true) {
        for (JsonNode e : events) {
          if (name.equals(e.path("event").asText()) && match.test(e)) {
            return e;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && !stdoutReader.isAlive())) {
          throw new AssertionError(
              "js peer: no '" + name + "' event within " + timeout + (process.isAlive() ? "" : " (process exited)")
                  + "\nevents: " + events + "\nstderr tail:\n" + stderrTail());
        }
        try {
          events.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for '" + name + "'", e);
        }
      }
    }
  }

  /**
   * Sends a command and waits for its result line. Returns the result (check {@code ok}); a
   * missing result within the timeout fails the test.
   */
  public JsonNode command(ObjectNode command, Duration timeout) throws IOException {
    int id = nextCommandId.getAndIncrement();
    command.put("id", id);
    synchronized (stdin) {
      stdin.write((JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    }
    return awaitEvent("result", e -> e.path("id").asInt(-1) == id, timeout);
  }

  public static ObjectNode cmd(String name) {
    return JSON.createObjectNode().put("cmd", name);
  }

  public String stderrTail() {
    synchronized (stderrTail) {
      return stderrTail.toString();
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException alreadyClosed) {
      // the process may be gone already
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(3, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
      stdoutReader.join(Duration.ofSeconds(2));
      stderrReader.join(Duration.ofSeconds(2));
      String tail = stderrTail();
      if (!tail.isBlank()) {
        // js-libp2p writes here only on crashes or with DEBUG=libp2p:* set: keep it with the test output
        System.err.println("js peer " + (listening == null ? "" : peerId()) + " stderr (tail):\n" + tail);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
