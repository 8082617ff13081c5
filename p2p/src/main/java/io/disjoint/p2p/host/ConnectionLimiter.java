package io.disjoint.p2p.host;

import io.disjoint.p2p.crypto.PeerId;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts connections in total, per remote IP (inbound, from accept on) and per authenticated peer,
 * and refuses what goes over {@link HostConfig}'s limits. Each admitted slot is released when its
 * channel closes. Thread-safe: connections live on different event loops.
 */
final class ConnectionLimiter {
  private final HostConfig config;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<PeerId, AtomicInteger> perPeer = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();

  ConnectionLimiter(HostConfig config) {
    this.config = config;
  }

  /** Connections refused by any limit since the host started. */
  long refusedCount() {
    return refused.get();
  }

  /**
   * Admits a new TCP connection before its handshake. Returns null if admitted, else the reason
   * for refusing it.
   */
  String admitTransport(Channel channel, boolean inbound) {
    if (total.incrementAndGet() > config.maxConnections()) {
      total.decrementAndGet();
      refused.incrementAndGet();
      return "resource limit: " + config.maxConnections() + " connections in total";
    }
    InetAddress ip = inbound ? ipOf(channel.remoteAddress()) : null;
    boolean limitIp = ip != null && !(config.loopbackExemptFromIpLimit() && ip.isLoopbackAddress());
    if (limitIp) {
      AtomicInteger count = perIp.computeIfAbsent(ip, k -> new AtomicInteger());
      if (count.incrementAndGet() > config.maxConnectionsPerIp()) {
        release(perIp, ip, count);
        total.decrementAndGet();
        refused.incrementAndGet();
        return "resource limit: " + config.maxConnectionsPerIp() + " connections per IP";
      }
    }
    channel.closeFuture().addListener(f -> {
      total.decrementAndGet();
      if (limitIp) {
        AtomicInteger count = perIp.get(ip);
        if (count != null) {
          release(perIp, ip, count);
        }
      }
    });
    return null;
  }

  /** Admits an authenticated connection to {@code peer}; null if admitted, else the reason. */
  String admitPeer(PeerId peer, Channel channel) {
    AtomicInteger count = perPeer.computeIfAbsent(peer, k -> new AtomicInteger());
    if (count.incrementAndGet() > config.maxConnectionsPerPeer()) {
      release(perPeer, peer, count);
      refused.incrementAndGet();
      return "resource limit: " + config.maxConnectionsPerPeer() + " connections per peer";
    }
    channel.closeFuture().addListener(f -> release(perPeer, peer, count));
    return null;
  }

  private static <K> void release(ConcurrentHashMap<K, AtomicInteger> map, K key, AtomicInteger count) {
    if (count.decrementAndGet() <= 0) {
      map.computeIfPresent(key, (k, c) -> c.get() <= 0 ? null : c);
    }
  }

  private static InetAddress ipOf(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
