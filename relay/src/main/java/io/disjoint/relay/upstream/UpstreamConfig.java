package io.disjoint.relay.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the serving side reaches the operator's own chain node.
 *
 * @param url {@code http://} or {@code https://host:port/path} (a keep-alive connection pool) or
 *     {@code ws://} or {@code wss://...} (one multiplexed WebSocket)
 * @param maxConnections HTTP connections kept open at most (one request in flight on each)
 * @param maxPendingRequests requests allowed to wait for a free connection before failing fast
 * @param connectTimeout how long a TCP connect (and WebSocket handshake) may take
 * @param maxResponseBytes a larger upstream answer fails (not retryable: any node would send it)
 * @param headPollInterval how often the head tracker polls when no newHeads subscription is up
 * @param headSubscriptionUrl WebSocket URL for newHeads; empty to poll only. Defaults to the url
 *     itself, with ws:// for http:// (anvil and reth serve both on one port; where nothing answers
 *     there, as on geth's HTTP port, the head tracker polls and retries the subscription with a
 *     backoff of up to 30 s)
 * @param unhealthyAfterFailures consecutive head failures after which the upstream is unhealthy
 * @param tls certificate trust for https:// and wss:// (the JVM's default trust store unless set)
 */
public record UpstreamConfig(
    URI url,
    int maxConnections,
    int maxPendingRequests,
    Duration connectTimeout,
    int maxResponseBytes,
    Duration headPollInterval,
    Optional<URI> headSubscriptionUrl,
    int unhealthyAfterFailures,
    UpstreamTls tls) {

  public static final int DEFAULT_MAX_CONNECTIONS = 16;
  public static final int DEFAULT_MAX_PENDING_REQUESTS = 4_096;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
  public static final Duration DEFAULT_HEAD_POLL_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_UNHEALTHY_AFTER_FAILURES = 3;

  public UpstreamConfig {
    Objects.requireNonNull(url, "upstream url");
    String scheme = url.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) && !"ws".equals(scheme) && !"wss".equals(scheme)) {
      throw new IllegalArgumentException(
          "upstream url must start with http://, https://, ws:// or wss:// (was " + scheme + "://)");
    }
    Objects.requireNonNull(tls, "tls");
    if (url.getHost() == null) {
      throw new IllegalArgumentException("upstream url has no host");
    }
    Objects.requireNonNull(headSubscriptionUrl, "headSubscriptionUrl");
    if (headSubscriptionUrl.isPresent() && !"ws".equals(headSubscriptionUrl.get().getScheme())
        && !"wss".equals(headSubscriptionUrl.get().getScheme())) {
      throw new IllegalArgumentException("upstream head subscription url must start with ws:// or wss://");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("upstream maxConnections must be >= 1");
    }
    if (maxPendingRequests < 0) {
      throw new IllegalArgumentException("upstream maxPendingRequests must be >= 0");
    }
    if (maxResponseBytes < 1024) {
      throw new IllegalArgumentException("upstream maxResponseBytes must be >= 1024");
    }
    if (unhealthyAfterFailures < 1) {
      throw new IllegalArgumentException("upstream unhealthyAfterFailures must be >= 1");
    }
    requirePositive("upstream connectTimeout", connectTimeout);
    requirePositive("upstream headPollInterval", headPollInterval);
  }

  private static void requirePositive(String key, Duration value) {
    Objects.requireNonNull(value, key);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(key + " must be > 0");
    }
  }

  /** Defaults for a URL, with newHeads tried on its WebSocket twin. */
  public static UpstreamConfig of(URI url) {
    return builder(url).build();
  }

  public boolean webSocket() {
    return "ws".equals(url.getScheme()) || "wss".equals(url.getScheme());
  }

  /** Whether the url is https:// or wss:// (TLS, verified). */
  public boolean secure() {
    return secure(url);
  }

  static boolean secure(URI url) {
    return "https".equals(url.getScheme()) || "wss".equals(url.getScheme());
  }

  int port() {
    return port(url);
  }

  /** The url's port, or the scheme's default (443 with TLS, else 80). */
  static int port(URI url) {
    return url.getPort() > 0 ? url.getPort() : secure(url) ? 443 : 80;
  }

  String pathAndQuery() {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
  }

  /** The ws:// (wss://) URL at the same host, port and path as an http:// (https://) one. */
  static URI webSocketTwin(URI url) {
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      return url;
    }
    return URI.create("ws" + url.toString().substring("http".length()));
  }

  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /** Builder with the named defaults. */
  public static final class Builder {
    private final URI url;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private Duration headPollInterval = DEFAULT_HEAD_POLL_INTERVAL;
    private Optional<URI> headSubscriptionUrl;
    private int unhealthyAfterFailures = DEFAULT_UNHEALTHY_AFTER_FAILURES;
    private UpstreamTls tls = UpstreamTls.systemTrust();

    private Builder(URI url) {
      this.url = url;
      this.headSubscriptionUrl = Optional.ofNullable(url).map(UpstreamConfig::webSocketTwin);
    }

    public Builder maxConnections(int value) {
      this.maxConnections = value;
      return this;
    }

    public Builder maxPendingRequests(int value) {
      this.maxPendingRequests = value;
      return this;
    }

    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    public Builder maxResponseBytes(int value) {
      this.maxResponseBytes = value;
      return this;
    }

    public Builder headPollInterval(Duration value) {
      this.headPollInterval = value;
      return this;
    }

    /** WebSocket URL for newHeads (anvil and reth serve it on their HTTP port). */
    public Builder headSubscriptionUrl(URI value) {
      this.headSubscriptionUrl = Optional.of(value);
      return this;
    }

    /** Poll for heads only. */
    public Builder noHeadSubscription() {
      this.headSubscriptionUrl = Optional.empty();
      return this;
    }

    public Builder unhealthyAfterFailures(int value) {
      this.unhealthyAfterFailures = value;
      return this;
    }

    /** Certificate trust for https:// and wss:// upstreams. */
    public Builder tls(UpstreamTls value) {
      this.tls = value;
      return this;
    }

    public UpstreamConfig build() {
      return new UpstreamConfig(
          url, maxConnections, maxPendingRequests, connectTimeout, maxResponseBytes,
          headPollInterval, headSubscriptionUrl, unhealthyAfterFailures, tls);
    }
  }
}
