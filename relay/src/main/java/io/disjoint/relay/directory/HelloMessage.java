package io.disjoint.relay.directory;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a node tells each peer it connects to: the chains it serves with their heads, and its
 * failure-domain claim. Carried signed by the node key ("/disjoint/hello/1.0.0").
 *
 * @param timestampUnixMs when it was signed; only the newest hello per peer counts
 * @param heads served CAIP-2 chain id -> head height (-1 when not known yet), sorted by chain
 * @param domain the node's failure-domain claim
 */
public record HelloMessage(long timestampUnixMs, Map<String, Long> heads, FailureDomain domain) {
  public static final int MAX_CHAINS = 64;

  public HelloMessage {
    Objects.requireNonNull(heads, "heads");
    Objects.requireNonNull(domain, "domain");
    if (timestampUnixMs <= 0) {
      throw new IllegalArgumentException("hello timestamp must be set");
    }
    if (heads.size() > MAX_CHAINS) {
      throw new IllegalArgumentException("hello lists " + heads.size() + " chains, at most " + MAX_CHAINS);
    }
    TreeMap<String, Long> copy = new TreeMap<>();
    heads.forEach((chain, head) -> {
      Objects.requireNonNull(chain, "chain");
      Objects.requireNonNull(head, "head");
      int len = chain.getBytes(StandardCharsets.UTF_8).length;
      if (len == 0 || len > 64) {
        throw new IllegalArgumentException("chain id must be 1..64 bytes");
      }
      if (head < -1) {
        throw new IllegalArgumentException("head of " + chain + " must be >= -1");
      }
      copy.put(chain, head);
    });
    heads = Collections.unmodifiableMap(copy);
  }
}
