package io.disjoint.relay.upstream;

/** The upstream chain node failed to answer; {@link #retryable()} when another node may succeed. */
public class UpstreamException extends RuntimeException {
  private final boolean retryable;

  public UpstreamException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public UpstreamException(String message, boolean retryable) {
    this(message, retryable, null);
  }

  public boolean retryable() {
    return retryable;
  }
}
