package io.disjoint.relay.eth;

/**
 * A raw transaction that cannot be decoded: bad RLP, an unknown type, a field out of range or an
 * invalid signature. The sender of the transaction is at fault; the message says which field.
 */
public final class InvalidTransactionException extends RuntimeException {
  public InvalidTransactionException(String message) {
    super(message);
  }

  public InvalidTransactionException(String message, Throwable cause) {
    super(message, cause);
  }
}
