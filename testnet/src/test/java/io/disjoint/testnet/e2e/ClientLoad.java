package io.disjoint.testnet.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * A steady stream of JSON-RPC requests against a gateway, as a dApp would send them: a few
 * clients, each sending one request at a time at a fixed pace. Counts what succeeded and keeps
 * every failure (HTTP status, JSON-RPC error or transport error) with its time.
 */
final class ClientLoad implements AutoCloseable {
  record Failure(long atNanos, String request, String what) {}

  record Summary(long ok, long failed, List<Failure> failures, long p50Micros, long p99Micros, long maxMicros) {
    @Override
    public String toString() {
      return ok + " ok, " + failed + " failed, latency p50 " + p50Micros + " us, p99 " + p99Micros
          + " us, max " + maxMicros + " us" + (failures.isEmpty() ? "" : "; first failures: "
          + failures.subList(0, Math.min(5, failures.size())));
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final URI url;
  private final IntFunction<String> requests;
  private final Predicate<JsonNode> acceptResult;
  private final Duration pace;
  private final Duration timeout;
  private final List<Thread> clients = new ArrayList<>();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;

  /**
   * @param requests request body number i (the id is set to i)
   * @param acceptResult whether a result is right (a wrong result counts as a failure)
   * @param clientCount concurrent clients
   * @param pace pause between one client's requests
   * @param timeout how long a client waits for an answer
   */
  ClientLoad(URI url, IntFunction<String> requests, Predicate<JsonNode> acceptResult, int clientCount,
      Duration pace, Duration timeout) {
    this.url = url;
    this.requests = requests;
    this.acceptResult = acceptResult;
    this.pace = pace;
    this.timeout = timeout;
    AtomicLong seq = new AtomicLong();
    for (int c = 0; c < clientCount; c++) {
      clients.add(Thread.ofVirtual().name("load-" + c).start(() -> loop(seq)));
    }
  }

  private void loop(AtomicLong seq) {
    while (running) {
      int i = (int) seq.incrementAndGet();
      String body = requests.apply(i);
      long start = System.nanoTime();
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(timeout)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        long micros = (System.nanoTime() - start) / 1000;
        if (r.statusCode() != 200) {
          fail(start, body, "HTTP " + r.statusCode() + " " + r.body());
        } else {
          JsonNode resp = JSON.readTree(r.body());
          if (resp.has("error")) {
            fail(start, body, resp.get("error").toString());
          } else if (!acceptResult.test(resp.get("result"))) {
            fail(start, body, "wrong result " + resp.get("result"));
          } else {
            ok.incrementAndGet();
            latencies.add(micros);
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        fail(start, body, e.toString());
      }
      try {
        Thread.sleep(pace);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void fail(long start, String body, String what) {
    failed.incrementAndGet();
    if (failures.size() < 200) {
      failures.add(new Failure(start, body, what));
    }
  }

  /**
   * Sends {@code body} one at a time until {@code streak} answers in a row succeed (the relay
   * streams are open and the JIT has seen the path), so drills measure a warm network.
   */
  static void warmUp(URI url, String body, int streak, Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    int inRow = 0;
    String last = "nothing yet";
    while (inRow < streak) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the gateway did not answer " + streak + " requests in a row within "
            + timeout.toSeconds() + " s; last: " + last);
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        inRow = r.statusCode() == 200 && JSON.readTree(r.body()).has("result") ? inRow + 1 : 0;
      } catch (java.io.IOException e) {
        last = e.toString();
        inRow = 0;
      }
      if (inRow == 0) {
        Thread.sleep(100);
      }
    }
  }

  long ok() {
    return ok.get();
  }

  long failed() {
    return failed.get();
  }

  /** Stops the clients (waiting for their last answers) and sums up. */
  Summary stop() throws InterruptedException {
    running = false;
    for (Thread t : clients) {
      t.join(timeout.toMillis() + 5_000);
    }
    List<Long> l = new ArrayList<>(latencies);
    Collections.sort(l);
    long p50 = l.isEmpty() ? 0 : l.get(l.size() / 2);
    long p99 = l.isEmpty() ? 0 : l.get(Math.min(l.size() - 1, (int) (l.size() * 0.99)));
    long max = l.isEmpty() ? 0 : l.get(l.size() - 1);
    return new Summary(ok.get(), failed.get(), List.copyOf(failures), p50, p99, max);
  }

  @Override
  public void close() {
    running = false;
    clients.forEach(Thread::interrupt);
  }
}
