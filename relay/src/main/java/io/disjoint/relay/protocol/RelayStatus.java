package io.disjoint.relay.protocol;

import io.disjoint.relay.protocol.pb.RelayProto;

/** Outcome of one relay, as carried in RelayResponse.status (docs/relay-protocol.md). */
public enum RelayStatus {
  OK(RelayProto.RelayStatus.OK, false),
  CHAIN_NOT_SERVED(RelayProto.RelayStatus.CHAIN_NOT_SERVED, true),
  RECEIPT_REJECTED(RelayProto.RelayStatus.RECEIPT_REJECTED, true),
  UPSTREAM_UNAVAILABLE(RelayProto.RelayStatus.UPSTREAM_UNAVAILABLE, true),
  UPSTREAM_REJECTED(RelayProto.RelayStatus.UPSTREAM_REJECTED, false),
  DEADLINE_EXCEEDED(RelayProto.RelayStatus.DEADLINE_EXCEEDED, true),
  OVERLOADED(RelayProto.RelayStatus.OVERLOADED, true),
  BAD_REQUEST(RelayProto.RelayStatus.BAD_REQUEST, false),
  INTERNAL(RelayProto.RelayStatus.INTERNAL, true),
  /** The node's operator policy refuses it; not the node's fault, and another jurisdiction may serve it. */
  POLICY_REFUSED(RelayProto.RelayStatus.POLICY_REFUSED, true),
  /** The answer to a batch-only request: the receipt batch was taken. Not a relay outcome. */
  BATCH_ACCEPTED(RelayProto.RelayStatus.BATCH_ACCEPTED, false);

  private final RelayProto.RelayStatus wire;
  private final boolean retryElsewhere;

  RelayStatus(RelayProto.RelayStatus wire, boolean retryElsewhere) {
    this.wire = wire;
    this.retryElsewhere = retryElsewhere;
  }

  public RelayProto.RelayStatus wire() {
    return wire;
  }

  /** Whether another node (in another failure domain) may do better than this one did. */
  public boolean retryElsewhere() {
    return retryElsewhere;
  }

  /** Maps a wire status; unknown future values are treated as INTERNAL (retryable) by callers. */
  public static RelayStatus fromWire(int number) {
    for (RelayStatus s : values()) {
      if (s.wire.getNumber() == number) {
        return s;
      }
    }
    return INTERNAL;
  }
}
