package io.disjoint.relay.select;

import java.util.List;

/** Where quorum dissent is kept for later slashing claims. Implementations must be thread-safe. */
public interface EvidenceLog {
  void record(Evidence evidence);

  /** Everything recorded so far, oldest first. */
  List<Evidence> all();
}
