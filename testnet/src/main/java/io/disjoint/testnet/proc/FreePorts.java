package io.disjoint.testnet.proc;

import io.disjoint.testnet.TestnetException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ephemeral loopback ports for child processes that cannot report the port they bound. */
public final class FreePorts {
  private FreePorts() {}

  public static int loopback() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new TestnetException("no free TCP port on 127.0.0.1: " + e.getMessage(), e);
    }
  }
}
