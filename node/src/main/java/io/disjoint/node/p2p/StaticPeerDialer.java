package io.disjoint.node.p2p;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps connections to the {@code --peer} addresses: dials each at start and again whenever the
 * connection is lost, with exponential back-off (doubling from {@code initial} up to {@code max},
 * +-20% jitter so a restarted gateway does not hit every peer in the same millisecond).
 */
public final class StaticPeerDialer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StaticPeerDialer.class);

  private final List<Multiaddr> peers;
  private final Function<Multiaddr, CompletableFuture<?>> dial;
  private final ScheduledExecutorService scheduler;
  private final Random jitter;
  private final Duration initial;
  private final Duration max;
  private final Map<PeerId, Multiaddr> byPeer = new ConcurrentHashMap<>();
  private final Map<Multiaddr, Duration> nextDelay = new ConcurrentHashMap<>();
  private final Map<Multiaddr, Boolean> pending = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public StaticPeerDialer(List<Multiaddr> peers, Function<Multiaddr, CompletableFuture<?>> dial,
      ScheduledExecutorService scheduler, Random jitter, Duration initial, Duration max) {
    this.peers = List.copyOf(peers);
    this.dial = Objects.requireNonNull(dial, "dial");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.jitter = Objects.requireNonNull(jitter, "jitter");
    this.initial = initial;
    this.max = max;
    for (Multiaddr a : this.peers) {
      a.peerId().ifPresent(id -> byPeer.put(id, a));
    }
  }

  public void start() {
    peers.forEach(a -> schedule(a, Duration.ZERO));
  }

  /** Called when a connection to {@code peer} closed: re-dial it if it is a static peer. */
  public void onDisconnected(PeerId peer) {
    Multiaddr a = byPeer.get(peer);
    if (a != null && !closed) {
      schedule(a, initial);
    }
  }

  private void schedule(Multiaddr addr, Duration delay) {
    if (closed || pending.putIfAbsent(addr, Boolean.TRUE) != null) {
      return;
    }
    scheduler.schedule(() -> attempt(addr), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void attempt(Multiaddr addr) {
    pending.remove(addr);
    if (closed) {
      return;
    }
    CompletableFuture<?> f;
    try {
      f = dial.apply(addr);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((ok, err) -> {
      if (err == null) {
        nextDelay.remove(addr);
        LOG.info("connected to static peer {}", addr);
        return;
      }
      Duration d = nextDelay.getOrDefault(addr, initial);
      Duration next = d.multipliedBy(2).compareTo(max) > 0 ? max : d.multipliedBy(2);
      nextDelay.put(addr, next);
      long ms = d.toMillis();
      long jittered = Math.max(1, ms + (long) ((jitter.nextDouble() * 0.4 - 0.2) * ms));
      LOG.debug("dial to static peer {} failed ({}); retrying in {} ms", addr, rootMessage(err), jittered);
      schedule(addr, Duration.ofMillis(jittered));
    });
  }

  /** The back-off that the next failure of {@code addr} will wait (for tests and status). */
  public Duration currentBackoff(Multiaddr addr) {
    return nextDelay.getOrDefault(addr, initial);
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  @Override
  public void close() {
    closed = true;
  }
}
