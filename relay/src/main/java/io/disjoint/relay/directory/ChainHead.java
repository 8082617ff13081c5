package io.disjoint.relay.directory;

import java.time.Instant;
import java.util.Objects;

/**
 * The latest head a peer reported for one chain.
 *
 * @param number head height, -1 when the peer does not know it yet
 * @param observedAt when this gateway learned it (hello or relay response)
 */
public record ChainHead(long number, Instant observedAt) {
  public ChainHead {
    Objects.requireNonNull(observedAt, "observedAt");
    if (number < -1) {
      throw new IllegalArgumentException("head number must be >= -1");
    }
  }

  public boolean known() {
    return number >= 0;
  }
}
