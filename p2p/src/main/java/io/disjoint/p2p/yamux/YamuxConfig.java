package io.disjoint.p2p.yamux;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timers of one Yamux session.
 *
 * @param maxStreamWindow largest receive window one stream grows to: the per-stream memory budget
 * @param connectionWindowBudget receive window beyond the initial 256 KiB per stream that all
 *     streams of a connection may be granted together: the per-connection memory budget
 * @param maxSendFrame largest Data payload we send (so that header + payload fit one Noise frame)
 * @param maxInboundStreams open streams the remote may have opened at once; more are reset
 * @param maxOutboundStreams open streams we may have opened at once; more fail to open
 * @param maxAckBacklog unacknowledged streams per direction (the spec's 256)
 * @param maxEarlyStreams our streams open at once before the remote has shown that it serves
 *     streams (sent data or opened one); more opens wait. js-libp2p kills the whole connection when
 *     more than 10 streams arrive before its side of the connection is set up.
 * @param keepAliveInterval session ping period; the connection closes when a ping is not answered
 *     before the next one is due; zero disables
 * @param streamCloseTimeout after we close a stream, how long we wait for the remote's FIN before
 *     resetting it
 */
public record YamuxConfig(
    int maxStreamWindow,
    long connectionWindowBudget,
    int maxSendFrame,
    int maxInboundStreams,
    int maxOutboundStreams,
    int maxAckBacklog,
    int maxEarlyStreams,
    Duration keepAliveInterval,
    Duration streamCloseTimeout) {
  /** The window every stream starts with; fixed by the spec. */
  public static final int INITIAL_WINDOW = 256 * 1024;

  public static final int DEFAULT_MAX_STREAM_WINDOW = 16 * 1024 * 1024;
  public static final long DEFAULT_CONNECTION_WINDOW_BUDGET = 64L * 1024 * 1024;
  public static final int DEFAULT_MAX_SEND_FRAME = 65519 - YamuxFrame.HEADER_LENGTH;
  public static final int DEFAULT_MAX_INBOUND_STREAMS = 256;
  public static final int DEFAULT_MAX_OUTBOUND_STREAMS = 1024;
  public static final int DEFAULT_MAX_ACK_BACKLOG = 256;
  public static final int DEFAULT_MAX_EARLY_STREAMS = 8;
  public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_STREAM_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  public YamuxConfig {
    if (maxStreamWindow < INITIAL_WINDOW) {
      throw new IllegalArgumentException("maxStreamWindow must be at least " + INITIAL_WINDOW);
    }
    if (connectionWindowBudget < 0) {
      throw new IllegalArgumentException("connectionWindowBudget must not be negative");
    }
    if (maxSendFrame <= 0) {
      throw new IllegalArgumentException("maxSendFrame must be positive");
    }
    if (maxInboundStreams < 0 || maxOutboundStreams < 0) {
      throw new IllegalArgumentException("stream limits must not be negative");
    }
    if (maxAckBacklog <= 0) {
      throw new IllegalArgumentException("maxAckBacklog must be positive");
    }
    if (maxEarlyStreams <= 0) {
      throw new IllegalArgumentException("maxEarlyStreams must be positive");
    }
    Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
    Objects.requireNonNull(streamCloseTimeout, "streamCloseTimeout");
    if (keepAliveInterval.isNegative() || streamCloseTimeout.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
  }

  public static YamuxConfig defaults() {
    return new YamuxConfig(
        DEFAULT_MAX_STREAM_WINDOW,
        DEFAULT_CONNECTION_WINDOW_BUDGET,
        DEFAULT_MAX_SEND_FRAME,
        DEFAULT_MAX_INBOUND_STREAMS,
        DEFAULT_MAX_OUTBOUND_STREAMS,
        DEFAULT_MAX_ACK_BACKLOG,
        DEFAULT_MAX_EARLY_STREAMS,
        DEFAULT_KEEP_ALIVE_INTERVAL,
        DEFAULT_STREAM_CLOSE_TIMEOUT);
  }

  public YamuxConfig withMaxInboundStreams(int value) {
    return new YamuxConfig(maxStreamWindow, connectionWindowBudget, maxSendFrame, value,
        maxOutboundStreams, maxAckBacklog, maxEarlyStreams, keepAliveInterval, streamCloseTimeout);
  }

  public YamuxConfig withMaxOutboundStreams(int value) {
    return new YamuxConfig(maxStreamWindow, connectionWindowBudget, maxSendFrame, maxInboundStreams,
        value, maxAckBacklog, maxEarlyStreams, keepAliveInterval, streamCloseTimeout);
  }

  public YamuxConfig withKeepAliveInterval(Duration value) {
    return new YamuxConfig(maxStreamWindow, connectionWindowBudget, maxSendFrame, maxInboundStreams,
        maxOutboundStreams, maxAckBacklog, maxEarlyStreams, value, streamCloseTimeout);
  }

  public YamuxConfig withMaxStreamWindow(int value) {
    return new YamuxConfig(value, connectionWindowBudget, maxSendFrame, maxInboundStreams,
        maxOutboundStreams, maxAckBacklog, maxEarlyStreams, keepAliveInterval, streamCloseTimeout);
  }

  public YamuxConfig withMaxEarlyStreams(int value) {
    return new YamuxConfig(maxStreamWindow, connectionWindowBudget, maxSendFrame, maxInboundStreams,
        maxOutboundStreams, maxAckBacklog, value, keepAliveInterval, streamCloseTimeout);
  }

  public YamuxConfig withConnectionWindowBudget(long value) {
    return new YamuxConfig(maxStreamWindow, value, maxSendFrame, maxInboundStreams,
        maxOutboundStreams, maxAckBacklog, maxEarlyStreams, keepAliveInterval, streamCloseTimeout);
  }
}
