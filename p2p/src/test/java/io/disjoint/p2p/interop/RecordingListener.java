package io.disjoint.p2p.interop;

import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.HostListener;
import io.disjoint.p2p.api.PeerInfo;
import io.disjoint.p2p.crypto.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Records a host's connection and identify events so a test can wait for them. */
final class RecordingListener implements HostListener {
  private final List<Connection> connected = new ArrayList<>();
  private final List<Connection> disconnected = new ArrayList<>();
  private final List<PeerInfo> identified = new ArrayList<>();

  @Override
  public synchronized void onConnected(Connection connection) {
    connected.add(connection);
    notifyAll();
  }

  @Override
  public synchronized void onDisconnected(Connection connection) {
    disconnected.add(connection);
    notifyAll();
  }

  @Override
  public synchronized void onIdentified(PeerId peer, PeerInfo info) {
    identified.add(info);
    notifyAll();
  }

  synchronized List<Connection> connected() {
    return List.copyOf(connected);
  }

  synchronized List<Connection> disconnected() {
    return List.copyOf(disconnected);
  }

  synchronized PeerInfo awaitIdentified(PeerId peer, Duration timeout) throws InterruptedException {
    return await(() -> identified.stream().filter(i -> i.peerId().equals(peer)).findFirst(), timeout, "identify of " + peer);
  }

  synchronized Connection awaitDisconnected(Connection connection, Duration timeout) throws InterruptedException {
    return await(() -> disconnected.stream().filter(c -> c == connection).findFirst(), timeout, "disconnect of " + connection);
  }

  synchronized Connection awaitConnected(PeerId peer, Duration timeout) throws InterruptedException {
    return await(() -> connected.stream().filter(c -> c.remotePeer().equals(peer)).findFirst(), timeout, "connection from " + peer);
  }

  private interface Lookup<T> {
    Optional<T> find();
  }

  private <T> T await(Lookup<T> lookup, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> found = lookup.find();
      if (found.isPresent()) {
        return found.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("Java host: no " + what + " within " + timeout);
      }
      wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    }
  }
}
