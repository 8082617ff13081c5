package io.disjoint.relay.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's open WebSocket sessions, and the {@link SubscriptionSink} a router uses to push
 * notifications to them. Create it first, hand it to the router and to the {@link GatewayServer}.
 */
public final class WebSocketSessions implements SubscriptionSink {
  private static final Logger log = LoggerFactory.getLogger(WebSocketSessions.class);

  private static final long SLOW_CLIENT_GRACE_MILLIS = 1_000;

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);

  private static final class Session {
    final Channel channel;
    final List<Runnable> closeListeners = new ArrayList<>();
    boolean closed;

    Session(Channel channel) {
      this.channel = channel;
    }
  }

  /** Registers an upgraded connection; the session ends when the channel closes. */
  String open(Channel channel) {
    String id = "ws-" + nextId.getAndIncrement();
    Session session = new Session(channel);
    sessions.put(id, session);
    channel.closeFuture().addListener(f -> closed(id));
    return id;
  }

  @Override
  public boolean send(String session, byte[] json) {
    Objects.requireNonNull(json, "json");
    Session s = sessions.get(session);
    if (s == null || !s.channel.isActive()) {
      return false;
    }
    if (!s.channel.isWritable()) {
      // the client is not reading: queueing more would grow memory without bound. The close
      // frame waits behind what the client has not read, so the connection is cut soon after
      s.channel
          .writeAndFlush(
              new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, "client is not reading"))
          .addListener(f -> s.channel.close());
      s.channel.eventLoop().schedule(() -> s.channel.close(), SLOW_CLIENT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
      return false;
    }
    s.channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(json)));
    return true;
  }

  @Override
  public boolean isOpen(String session) {
    Session s = sessions.get(session);
    return s != null && s.channel.isActive();
  }

  @Override
  public void onClose(String session, Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    Session s = sessions.get(session);
    if (s != null) {
      synchronized (s) {
        if (!s.closed) {
          s.closeListeners.add(listener);
          return;
        }
      }
    }
    listener.run();
  }

  /** Number of open sessions. */
  public int size() {
    return sessions.size();
  }

  private void closed(String id) {
    Session s = sessions.remove(id);
    if (s == null) {
      return;
    }
    List<Runnable> listeners;
    synchronized (s) {
      s.closed = true;
      listeners = List.copyOf(s.closeListeners);
      s.closeListeners.clear();
    }
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.error("a session close listener failed", e);
      }
    }
  }
}
