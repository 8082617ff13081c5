package io.disjoint.relay.select;

/** Whose fault a relay attempt's result is, which decides what the router does next. */
public enum Outcome {
  /** A JSON-RPC result: answer the client. */
  RESULT,
  /** A JSON-RPC error that any honest node would give (revert, invalid params): answer at once. */
  DETERMINISTIC_ERROR,
  /** The peer or its upstream is in trouble (transport, timeout, -32000 node trouble, 429/5xx): try another domain. */
  RETRYABLE
}
