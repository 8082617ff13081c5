package io.disjoint.node.p2p;

import io.disjoint.node.DataDir;
import io.disjoint.node.NodeException;
import io.disjoint.node.config.ConfigException;
import io.disjoint.node.config.NodeConfig;
import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.api.Host;
import io.disjoint.p2p.crypto.KeyFileException;
import io.disjoint.p2p.crypto.KeyFiles;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.host.HostConfig;
import io.disjoint.p2p.host.Libp2pHost;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The libp2p side of a node: its key from the data dir and a started host on --listen. */
public final class P2pWiring {
  private P2pWiring() {}

  /** Loads the node key from DATA_DIR/node.key, creating it (owner-only) on first run. */
  public static PrivKey loadOrCreateKey(DataDir dataDir, String keyType) {
    try {
      Files.createDirectories(dataDir.root());
    } catch (IOException e) {
      throw new ConfigException("--data-dir " + dataDir.root() + " cannot be created: " + e.getMessage(), e);
    }
    KeyType type = KeyType.valueOf(keyType.toUpperCase(Locale.ROOT));
    try {
      return KeyFiles.loadOrCreate(dataDir.keyFile(), type);
    } catch (KeyFileException e) {
      throw new ConfigException("--data-dir key file " + dataDir.keyFile() + ": " + e.getMessage(), e);
    }
  }

  public static List<Multiaddr> listenAddrs(NodeConfig config) {
    List<Multiaddr> out = new ArrayList<>();
    for (String text : config.listen()) {
      Multiaddr a;
      try {
        a = Multiaddr.parse(text);
      } catch (RuntimeException e) {
        throw new ConfigException("--listen expects a multiaddr such as /ip4/0.0.0.0/tcp/4001, got '" + text + "': " + e.getMessage(), e);
      }
      if (!a.isTcp()) {
        throw new ConfigException("--listen supports TCP addresses only (/ip4/.../tcp/PORT or /ip6/.../tcp/PORT), got '" + text + "'");
      }
      out.add(a);
    }
    return out;
  }

  public static List<Multiaddr> staticPeers(NodeConfig config) {
    List<Multiaddr> out = new ArrayList<>();
    for (String text : config.peers()) {
      Multiaddr a;
      try {
        a = Multiaddr.parse(text);
      } catch (RuntimeException e) {
        throw new ConfigException("--peer expects a multiaddr ending in /p2p/PEER_ID, got '" + text + "': " + e.getMessage(), e);
      }
      if (a.peerId().isEmpty()) {
        throw new ConfigException("--peer must end in /p2p/PEER_ID so the dial can check who answers, got '" + text + "'");
      }
      out.add(a);
    }
    return out;
  }

  /** Creates and starts the host; a port in use or similar is reported against --listen. */
  public static Host startHost(PrivKey key, NodeConfig config) {
    HostConfig hostConfig = HostConfig.builder().listenAddrs(listenAddrs(config)).build();
    Host host = new Libp2pHost(key, hostConfig);
    try {
      host.start().get(30, TimeUnit.SECONDS);
      return host;
    } catch (ExecutionException e) {
      host.stop();
      Throwable cause = e.getCause();
      throw new NodeException("--listen " + String.join(" ", config.listen()) + " cannot be used: "
          + (cause instanceof P2pException || cause instanceof IOException ? cause.getMessage() : String.valueOf(cause)), cause);
    } catch (TimeoutException e) {
      host.stop();
      throw new NodeException("the libp2p host did not start within 30 s", e);
    } catch (InterruptedException e) {
      host.stop();
      Thread.currentThread().interrupt();
      throw new NodeException("interrupted while starting the libp2p host", e);
    }
  }
}
