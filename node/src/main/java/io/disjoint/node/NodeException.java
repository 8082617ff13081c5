package io.disjoint.node;

/** Base of every unchecked exception the node module throws. */
public class NodeException extends RuntimeException {
  public NodeException(String message) {
    super(message);
  }

  public NodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
