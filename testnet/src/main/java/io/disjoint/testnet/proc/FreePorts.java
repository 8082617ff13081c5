package io.disjoint.testnet.proc;

import io.disjoint.testnet.TestnetException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for child processes that must be told their port in advance (anvil, a node's
 * fixed listen and metrics ports). Picked below Linux's ephemeral range (32768-60999) so that
 * outgoing connections of the many local processes cannot take a port between the pick and the
 * child's bind; the pick is checked by binding it once.
 */
public final class FreePorts {
  static final int FIRST = 20_000;
  static final int LAST = 32_000;

  private FreePorts() {}

  public static int loopback() {
    InetAddress lo = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(lo, port), 1);
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, lo)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new TestnetException("no free TCP port on 127.0.0.1: " + e.getMessage(), e);
    }
  }
}
