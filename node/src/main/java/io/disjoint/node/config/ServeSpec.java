package io.disjoint.node.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code --serve CHAIN=UPSTREAM_URL}: a chain (CAIP-2 id) this node serves from the
 * operator's own chain node.
 */
public record ServeSpec(String chain, URI upstream) {
  /** CAIP-2: namespace [-a-z0-9]{3,8}, reference [-_a-zA-Z0-9]{1,32}. */
  private static final Pattern CAIP2 = Pattern.compile("[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}");

  private static final Set<String> SCHEMES = Set.of("http", "https", "ws", "wss");

  public ServeSpec {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(upstream, "upstream");
    if (!isCaip2(chain)) {
      throw new IllegalArgumentException("not a CAIP-2 chain id: " + chain);
    }
    if (upstream.getScheme() == null || !SCHEMES.contains(upstream.getScheme())) {
      throw new IllegalArgumentException("upstream must be http(s) or ws(s): " + upstream);
    }
  }

  public static boolean isCaip2(String chain) {
    return chain != null && CAIP2.matcher(chain).matches();
  }

  /** Parses {@code CHAIN=URL}; errors name {@code flag}. */
  public static ServeSpec parse(String text, String flag) {
    String usage = flag + " expects CHAIN=URL (e.g. eip155:31337=http://127.0.0.1:8545), got '" + text + "'";
    if (text == null) {
      throw new ConfigException(usage);
    }
    int eq = text.indexOf('=');
    if (eq <= 0 || eq == text.length() - 1) {
      throw new ConfigException(usage);
    }
    String chain = text.substring(0, eq).trim();
    String url = text.substring(eq + 1).trim();
    if (!isCaip2(chain)) {
      throw new ConfigException(
          flag + " chain must be a CAIP-2 id such as eip155:1, got '" + chain + "' in '" + text + "'");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ConfigException(flag + " upstream is not a URL: '" + url + "'");
    }
    if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
      throw new ConfigException(flag + " upstream must start with http://, https://, ws:// or wss://, got '" + url + "'");
    }
    if (uri.getHost() == null) {
      throw new ConfigException(flag + " upstream has no host: '" + url + "'");
    }
    return new ServeSpec(chain, uri);
  }

  @Override
  public String toString() {
    return chain + "=" + upstream;
  }
}
