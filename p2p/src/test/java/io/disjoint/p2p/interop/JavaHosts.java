package io.disjoint.p2p.interop;

import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.host.HostConfig;
import io.disjoint.p2p.host.Libp2pHost;
import java.security.SecureRandom;

/** Java hosts for the interop tests and the benchmark: a fresh Ed25519 identity on 127.0.0.1, port 0. */
public final class JavaHosts {
  private JavaHosts() {}

  /** Not started. Default limits, which the tests must pass under as they are. */
  public static Libp2pHost newLoopbackHost() {
    return newLoopbackHost(HostConfig.builder());
  }

  public static Libp2pHost newLoopbackHost(HostConfig.Builder config) {
    return newLoopbackHost(KeyType.ED25519, config);
  }

  public static Libp2pHost newLoopbackHost(KeyType keyType, HostConfig.Builder config) {
    PrivKey key = PrivKey.generate(keyType, new SecureRandom());
    return new Libp2pHost(key, config.listen("/ip4/127.0.0.1/tcp/0").build());
  }
}
