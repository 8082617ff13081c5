package io.disjoint.relay.protocol;

/** Protocol id and wire limits of "/disjoint/relay/1.0.0" (docs/relay-protocol.md). */
public final class RelayProtocol {
  public static final String PROTOCOL_ID = "/disjoint/relay/1.0.0";

  /** Largest RelayRequest frame body: a 5 MiB JSON-RPC body plus room for receipt and fields. */
  public static final int MAX_REQUEST_FRAME = 6 * 1024 * 1024;

  /** Largest RelayResponse frame body: a 25 MB batch response plus room for the attestation. */
  public static final int MAX_RESPONSE_FRAME = 26 * 1024 * 1024;

  /** Longest CAIP-2 chain id accepted (namespace 3-8 + ":" + reference up to 32, rounded up). */
  public static final int MAX_CHAIN_ID_BYTES = 64;

  /** Largest payment receipt or attestation carried. */
  public static final int MAX_SIGNED_BLOB = 4096;

  /** Requests a serving stream works on at once before answering OVERLOADED. */
  public static final int DEFAULT_MAX_IN_FLIGHT_PER_STREAM = 256;

  private RelayProtocol() {}
}
