package io.disjoint.testnet.proc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;

/** Reads one figure from a node's Prometheus endpoint (text format 0.0.4). */
public final class MetricsScrape {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();

  private MetricsScrape() {}

  public static String fetch(URI metricsUrl) throws IOException {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(metricsUrl).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException(metricsUrl + " answered HTTP " + r.statusCode());
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * Sum of every sample of {@code name} whose label text contains {@code labelFilter} (empty =
   * all samples); empty when the metric is absent.
   */
  public static OptionalDouble sum(String text, String name, String labelFilter) {
    double total = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      String rest = line.substring(name.length());
      String labels = "";
      if (rest.startsWith("{")) {
        int close = rest.indexOf('}');
        labels = rest.substring(1, close);
        rest = rest.substring(close + 1);
      } else if (!rest.startsWith(" ")) {
        continue; // another metric whose name starts with ours
      }
      if (!labels.contains(labelFilter)) {
        continue;
      }
      String[] parts = rest.trim().split("\\s+");
      total += Double.parseDouble(parts[0]);
      found = true;
    }
    return found ? OptionalDouble.of(total) : OptionalDouble.empty();
  }
}
