package io.disjoint.node.config;

import java.util.Objects;

/** A TCP endpoint given as {@code HOST:PORT}; port 0 asks the OS for a free one. */
public record HostPort(String host, int port) {
  public HostPort {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
  }

  /**
   * Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6).
   *
   * @param flag the flag or key the text came from, named in the error
   */
  public static HostPort parse(String text, String flag) {
    String bad = flag + " expects HOST:PORT (e.g. 127.0.0.1:8545), got '" + text + "'";
    if (text == null) {
      throw new ConfigException(bad);
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new ConfigException(bad);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isBlank() || host.contains(" ")) {
      throw new ConfigException(bad);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(bad);
    }
    if (port < 0 || port > 65_535) {
      throw new ConfigException(flag + " port must be 0..65535, got '" + text + "'");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
