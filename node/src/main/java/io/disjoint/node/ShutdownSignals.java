package io.disjoint.node;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM, SIGINT and SIGHUP into an orderly stop: the main thread waits in
 * {@link #await()}, stops its services and exits with status 0, instead of the JVM's default
 * (run the shutdown hooks and exit 143). A shutdown hook remains the safety net for other exits.
 */
public final class ShutdownSignals {
  private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);
  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicReference<String> received = new AtomicReference<>();

  private ShutdownSignals() {}

  /** Installs the handlers; call once, early in main. */
  public static ShutdownSignals install() {
    ShutdownSignals s = new ShutdownSignals();
    for (String name : new String[] {"TERM", "INT", "HUP"}) {
      try {
        Signal.handle(new Signal(name), sig -> s.trigger("SIG" + sig.getName()));
      } catch (IllegalArgumentException e) {
        LOG.debug("signal {} cannot be handled on this platform", name);
      }
    }
    return s;
  }

  /** Asks for a stop as a signal would (also used by a shutdown hook or a fatal error). */
  public void trigger(String reason) {
    if (received.compareAndSet(null, reason)) {
      stop.countDown();
    }
  }

  /** Blocks until a signal arrives; returns its name, e.g. {@code SIGTERM}. */
  public String await() throws InterruptedException {
    stop.await();
    return received.get();
  }
}
