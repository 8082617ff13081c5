package io.disjoint.testnet;

/** Base of every unchecked exception the testnet module throws. */
public class TestnetException extends RuntimeException {
  public TestnetException(String message) {
    super(message);
  }

  public TestnetException(String message, Throwable cause) {
    super(message, cause);
  }
}
