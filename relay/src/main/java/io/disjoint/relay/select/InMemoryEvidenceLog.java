package io.disjoint.relay.select;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Evidence kept in memory only (tests, gateways without a data directory). */
public final class InMemoryEvidenceLog implements EvidenceLog {
  private final List<Evidence> records = new CopyOnWriteArrayList<>();

  @Override
  public void record(Evidence evidence) {
    records.add(evidence);
  }

  @Override
  public List<Evidence> all() {
    return List.copyOf(records);
  }
}
