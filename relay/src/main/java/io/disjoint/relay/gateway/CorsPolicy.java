package io.disjoint.relay.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Which browser origins may call the gateway (CORS); {@code *} allows any origin. */
final class CorsPolicy {
  static final String ALLOWED_METHODS = "POST, GET, OPTIONS";
  private static final String DEFAULT_HEADERS = "Content-Type";
  private static final Pattern HEADER_LIST = Pattern.compile("[A-Za-z0-9, -]{1,256}");
  private static final int MAX_AGE_SECONDS = 600;

  private final boolean any;
  private final Set<String> origins;

  CorsPolicy(List<String> origins) {
    this.any = origins.contains("*");
    this.origins = Set.copyOf(origins);
  }

  boolean enabled() {
    return any || !origins.isEmpty();
  }

  boolean allows(String origin) {
    return any || origins.contains(origin);
  }

  /** Adds the headers a browser needs to read a response to a request from {@code origin}. */
  void decorate(HttpHeaders headers, String origin) {
    if (origin == null || !allows(origin)) {
      return;
    }
    if (any) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    } else {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      headers.set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
    }
  }

  /** Adds the preflight answer headers; the caller checked {@link #allows}. */
  void decoratePreflight(HttpHeaders headers, String origin, String requestedHeaders) {
    decorate(headers, origin);
    headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
    boolean echo = requestedHeaders != null && HEADER_LIST.matcher(requestedHeaders).matches();
    headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, echo ? requestedHeaders : DEFAULT_HEADERS);
    headers.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
  }
}
