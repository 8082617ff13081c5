package io.disjoint.p2p.yamux;

/** User events a stream channel fires in its pipeline. */
public enum YamuxStreamEvent {
  /** The remote reset the stream; the channel closes right after this event. */
  REMOTE_RESET
}
