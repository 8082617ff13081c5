package io.disjoint.relay.protocol;

/** The gateway's payment receipt is missing, invalid, or its payer is over the node's risk limit. */
public class PaymentRejectedException extends RuntimeException {
  public PaymentRejectedException(String message) {
    super(message);
  }

  public PaymentRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
