package io.disjoint.p2p.api;

/** Called on the stream's event loop for each inbound stream of a registered protocol. */
@FunctionalInterface
public interface StreamHandler {
  void initStream(Stream stream);
}
