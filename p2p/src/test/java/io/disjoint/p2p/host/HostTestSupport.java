package io.disjoint.p2p.host;

import io.disjoint.p2p.api.PeerInfo;
import io.disjoint.p2p.api.HostListener;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Starts hosts on 127.0.0.1 port 0 and stops them after each test. */
final class HostTestSupport implements AutoCloseable {
  private final List<Libp2pHost> hosts = new ArrayList<>();

  Libp2pHost start(HostConfig.Builder config) {
    PrivKey key = PrivKey.generate(KeyType.ED25519, new SecureRandom());
    Libp2pHost host = new Libp2pHost(key, config.listen("/ip4/127.0.0.1/tcp/0").build());
    hosts.add(host);
    host.start().orTimeout(10, TimeUnit.SECONDS).join();
    return host;
  }

  Libp2pHost start() {
    return start(HostConfig.builder());
  }

  @Override
  public void close() {
    for (Libp2pHost host : hosts) {
      host.stop().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  /** Records Identify results per peer. */
  static final class IdentifyRecorder implements HostListener {
    final Map<PeerId, CompletableFuture<PeerInfo>> identified = new ConcurrentHashMap<>();

    CompletableFuture<PeerInfo> of(PeerId peer) {
      return identified.computeIfAbsent(peer, p -> new CompletableFuture<>());
    }

    @Override
    public void onIdentified(PeerId peer, PeerInfo info) {
      of(peer).complete(info);
    }
  }
}
