package io.disjoint.relay.upstream;

import java.time.Instant;
import java.util.Objects;

/** A chain head as seen by a head tracker. */
public record Head(long number, String hash, Instant seenAt) {
  public static final Head UNKNOWN = new Head(-1, "", Instant.EPOCH);

  public Head {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(seenAt, "seenAt");
  }

  public boolean known() {
    return number >= 0;
  }
}
