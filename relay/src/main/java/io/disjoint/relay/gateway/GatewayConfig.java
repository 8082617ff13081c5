package io.disjoint.relay.gateway;

import io.disjoint.relay.policy.MethodTable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Gateway settings. Limits default to geth's (batch 1,000 entries, body 5 MiB, batch response
 * 25 MB); every check names the config key at fault.
 *
 * @param listen address to bind (port 0 picks a free one)
 * @param chains CAIP-2 chain ids served at {@code POST /<chain>} from the start (may be empty: a
 *     gateway also accepts chains learned later, see {@link GatewayServer#acceptChain})
 * @param aliases extra path names, alias -> chain id (e.g. {@code eth -> eip155:1})
 * @param methodProfile method table profile ({@code default}, {@code strict})
 * @param maxBodyBytes larger request bodies get HTTP 413
 * @param maxBatchSize larger batches get -32600 "batch too large"
 * @param maxResponseBytes a (batch) response growing past this gets -32003 per entry
 * @param maxNestingDepth deeper JSON gets -32700
 * @param requestTimeout unanswered requests get -32002 "request timed out" after this
 * @param requestReadTimeout a client must deliver a whole request within this, else HTTP 408
 * @param idleTimeout an HTTP connection with no traffic is closed after this
 * @param webSocketIdleTimeout a WebSocket with no traffic either way is closed after this
 * @param maxWebSocketInFlight requests one WebSocket may have outstanding before reads pause
 * @param webSocketOutboundLimitBytes a WebSocket whose unsent output exceeds this is closed
 * @param corsOrigins allowed browser origins; {@code *} allows any; empty disables CORS
 * @param clientVersion answer to web3_clientVersion
 * @param ioThreads event loop threads (0: Netty's default, twice the cores)
 */
public record GatewayConfig(
    InetSocketAddress listen,
    List<String> chains,
    Map<String, String> aliases,
    String methodProfile,
    int maxBodyBytes,
    int maxBatchSize,
    long maxResponseBytes,
    int maxNestingDepth,
    Duration requestTimeout,
    Duration requestReadTimeout,
    Duration idleTimeout,
    Duration webSocketIdleTimeout,
    int maxWebSocketInFlight,
    int webSocketOutboundLimitBytes,
    List<String> corsOrigins,
    String clientVersion,
    int ioThreads) {

  public static final int DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
  public static final int DEFAULT_MAX_BATCH_SIZE = 1_000;
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 25L * 1000 * 1000;
  public static final int DEFAULT_MAX_NESTING_DEPTH = 64;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_REQUEST_READ_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
  public static final Duration DEFAULT_WEBSOCKET_IDLE_TIMEOUT = Duration.ofMinutes(10);
  public static final int DEFAULT_MAX_WEBSOCKET_IN_FLIGHT = 256;
  public static final int DEFAULT_WEBSOCKET_OUTBOUND_LIMIT_BYTES = 32 * 1024 * 1024;
  public static final List<String> DEFAULT_CORS_ORIGINS = List.of("*");
  public static final String DEFAULT_CLIENT_VERSION = "disjoint/0.1.0";

  private static final Pattern CAIP2 = Pattern.compile("[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}");
  private static final Pattern ALIAS = Pattern.compile("[a-zA-Z0-9][-_.a-zA-Z0-9]{0,63}");

  public GatewayConfig {
    Objects.requireNonNull(listen, "listen");
    chains = List.copyOf(chains);
    aliases = Map.copyOf(aliases);
    Objects.requireNonNull(methodProfile, "methodProfile");
    corsOrigins = List.copyOf(corsOrigins);
    Objects.requireNonNull(clientVersion, "clientVersion");
    for (String chain : chains) {
      if (!CAIP2.matcher(chain).matches()) {
        throw new IllegalArgumentException(
            "gateway.chains: '" + chain + "' is not a CAIP-2 chain id such as eip155:1");
      }
    }
    for (Map.Entry<String, String> entry : aliases.entrySet()) {
      String alias = entry.getKey();
      String chain = entry.getValue();
      if (!ALIAS.matcher(alias).matches() || alias.equals("health")) {
        throw new IllegalArgumentException("gateway.aliases: '" + alias + "' is not usable as a path");
      }
      if (!chains.contains(chain)) {
        throw new IllegalArgumentException(
            "gateway.aliases: '" + alias + "' points at " + chain + ", which is not in gateway.chains");
      }
    }
    positive("gateway.maxBodyBytes", maxBodyBytes);
    positive("gateway.maxBatchSize", maxBatchSize);
    positive("gateway.maxResponseBytes", maxResponseBytes);
    positive("gateway.maxWebSocketInFlight", maxWebSocketInFlight);
    positive("gateway.webSocketOutboundLimitBytes", webSocketOutboundLimitBytes);
    if (maxNestingDepth < 2) {
      throw new IllegalArgumentException("gateway.maxNestingDepth must be >= 2");
    }
    positive("gateway.requestTimeout", requestTimeout);
    positive("gateway.requestReadTimeout", requestReadTimeout);
    positive("gateway.idleTimeout", idleTimeout);
    positive("gateway.webSocketIdleTimeout", webSocketIdleTimeout);
    if (idleTimeout.compareTo(requestTimeout) <= 0) {
      throw new IllegalArgumentException(
          "gateway.idleTimeout must be longer than gateway.requestTimeout");
    }
    if (ioThreads < 0) {
      throw new IllegalArgumentException("gateway.ioThreads must be >= 0");
    }
    if (methodProfile.isBlank()) {
      throw new IllegalArgumentException("gateway.methodProfile must not be blank");
    }
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be > 0, was " + value);
    }
  }

  private static void positive(String key, Duration value) {
    Objects.requireNonNull(value, key);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be > 0, was " + value);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the named defaults above and no chain. */
  public static final class Builder {
    private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 8545);
    private final List<String> chains = new ArrayList<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private String methodProfile = MethodTable.DEFAULT_PROFILE;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private int maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration requestReadTimeout = DEFAULT_REQUEST_READ_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration webSocketIdleTimeout = DEFAULT_WEBSOCKET_IDLE_TIMEOUT;
    private int maxWebSocketInFlight = DEFAULT_MAX_WEBSOCKET_IN_FLIGHT;
    private int webSocketOutboundLimitBytes = DEFAULT_WEBSOCKET_OUTBOUND_LIMIT_BYTES;
    private List<String> corsOrigins = DEFAULT_CORS_ORIGINS;
    private String clientVersion = DEFAULT_CLIENT_VERSION;
    private int ioThreads = 0;

    private Builder() {}

    public Builder listen(InetSocketAddress listen) {
      this.listen = listen;
      return this;
    }

    public Builder chain(String chain) {
      chains.add(chain);
      return this;
    }

    public Builder alias(String alias, String chain) {
      aliases.put(alias, chain);
      return this;
    }

    public Builder methodProfile(String methodProfile) {
      this.methodProfile = methodProfile;
      return this;
    }

    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    public Builder maxBatchSize(int maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    public Builder maxResponseBytes(long maxResponseBytes) {
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    public Builder maxNestingDepth(int maxNestingDepth) {
      this.maxNestingDepth = maxNestingDepth;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    public Builder requestReadTimeout(Duration requestReadTimeout) {
      this.requestReadTimeout = requestReadTimeout;
      return this;
    }

    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    public Builder webSocketIdleTimeout(Duration webSocketIdleTimeout) {
      this.webSocketIdleTimeout = webSocketIdleTimeout;
      return this;
    }

    public Builder maxWebSocketInFlight(int maxWebSocketInFlight) {
      this.maxWebSocketInFlight = maxWebSocketInFlight;
      return this;
    }

    public Builder webSocketOutboundLimitBytes(int webSocketOutboundLimitBytes) {
      this.webSocketOutboundLimitBytes = webSocketOutboundLimitBytes;
      return this;
    }

    public Builder corsOrigins(List<String> corsOrigins) {
      this.corsOrigins = corsOrigins;
      return this;
    }

    public Builder clientVersion(String clientVersion) {
      this.clientVersion = clientVersion;
      return this;
    }

    public Builder ioThreads(int ioThreads) {
      this.ioThreads = ioThreads;
      return this;
    }

    public GatewayConfig build() {
      return new GatewayConfig(
          listen, chains, aliases, methodProfile, maxBodyBytes, maxBatchSize, maxResponseBytes,
          maxNestingDepth, requestTimeout, requestReadTimeout, idleTimeout, webSocketIdleTimeout,
          maxWebSocketInFlight, webSocketOutboundLimitBytes, corsOrigins, clientVersion, ioThreads);
    }
  }
}
