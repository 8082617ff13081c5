package io.disjoint.node.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the gateway's chains in step with what the connected peers serve: a chain some peer
 * advertises in its hello is accepted by the gateway and announced once (its URL to every
 * subscriber, e.g. the {@code gateway <url>} line on stdout); when the last peer serving a chain
 * goes away that is logged, and the gateway keeps the chain, answering its requests with a
 * JSON-RPC error until a peer for it is back. Configured chains (--serve, --route) are announced
 * from the start, before any peer serves them.
 *
 * <p>Directory changes only ask for a refresh; refreshes run one at a time on {@code serial}, off
 * the event loop that applied the hello, and a burst of hellos costs one refresh.
 */
final class RoutableChains {
  private static final Logger LOG = LoggerFactory.getLogger(RoutableChains.class);
  /** Refused chain names kept (so each is logged once); peers choose them, so they are bounded. */
  static final int MAX_REFUSED_REMEMBERED = 1_024;

  private final Supplier<Map<String, Integer>> peersPerChain;
  private final Function<String, Optional<String>> accept;
  private final Function<String, String> urlOf;
  private final Executor serial;
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private final List<Consumer<String>> subscribers = new CopyOnWriteArrayList<>();
  /** Guarded by this. */
  private final List<String> urls = new ArrayList<>();
  /** Guarded by this: chains accepted (configured or learned). */
  private final Set<String> accepted = new HashSet<>();
  /** Guarded by this: chains refused, each logged once. */
  private final Set<String> refused = new HashSet<>();
  /** Only touched by refresh (serial): peers per chain at the last refresh. */
  private Map<String, Integer> lastCounts = Map.of();
  /** Only touched by refresh (serial): accepted chains whose last peer went away. */
  private final Set<String> lost = new HashSet<>();

  /**
   * @param configured chains accepted from the start (served and --route ones), in print order
   * @param peersPerChain chains some peer serves now, with how many peers serve each
   * @param accept makes the gateway accept a chain; empty when it does, else why not
   * @param urlOf the gateway URL of a chain
   * @param serial where refreshes run, one at a time
   */
  RoutableChains(List<String> configured, Supplier<Map<String, Integer>> peersPerChain,
      Function<String, Optional<String>> accept, Function<String, String> urlOf, Executor serial) {
    this.peersPerChain = Objects.requireNonNull(peersPerChain, "peersPerChain");
    this.accept = Objects.requireNonNull(accept, "accept");
    this.urlOf = Objects.requireNonNull(urlOf, "urlOf");
    this.serial = Objects.requireNonNull(serial, "serial");
    for (String chain : configured) {
      if (accepted.add(chain)) {
        urls.add(urlOf.apply(chain));
      }
    }
  }

  /**
   * The URLs announced so far, and {@code listener} gets each later one exactly once (called on
   * the refresh thread, outside any lock of this class).
   */
  synchronized List<String> subscribe(Consumer<String> listener) {
    subscribers.add(listener);
    return List.copyOf(urls);
  }

  synchronized List<String> urls() {
    return List.copyOf(urls);
  }

  /** Asks for a refresh (from any thread; cheap). */
  void changed() {
    if (refreshQueued.compareAndSet(false, true)) {
      serial.execute(this::refresh);
    }
  }

  /** Compares what peers serve now with the last refresh; accepts, announces and logs. */
  void refresh() {
    refreshQueued.set(false);
    Map<String, Integer> counts = peersPerChain.get();
    List<String> announced = new ArrayList<>();
    synchronized (this) {
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        String chain = e.getKey();
        if (e.getValue() <= 0 || accepted.contains(chain) || refused.contains(chain)) {
          continue;
        }
        Optional<String> why = accept.apply(chain);
        if (why.isPresent()) {
          if (refused.size() < MAX_REFUSED_REMEMBERED) {
            refused.add(chain);
            LOG.info("a peer serves {}, but this gateway cannot route it: {}", printable(chain), why.get());
          }
          continue;
        }
        accepted.add(chain);
        String url = urlOf.apply(chain);
        urls.add(url);
        announced.add(url);
        LOG.info("gateway learned {} from {} peer(s): {}", chain, e.getValue(), url);
      }
    }
    logLostAndRegained(counts);
    for (String url : announced) {
      for (Consumer<String> s : subscribers) {
        s.accept(url);
      }
    }
  }

  private void logLostAndRegained(Map<String, Integer> counts) {
    Map<String, Integer> before = lastCounts;
    Set<String> routed;
    synchronized (this) {
      routed = Set.copyOf(accepted);
    }
    for (String chain : routed) {
      int was = before.getOrDefault(chain, 0);
      int now = counts.getOrDefault(chain, 0);
      if (was > 0 && now == 0) {
        lost.add(chain);
        LOG.info("no peer serves {} right now; the gateway answers its requests with a JSON-RPC error until one connects",
            chain);
      } else if (now > 0 && lost.remove(chain)) {
        LOG.info("{} peer(s) serve {} again", now, chain);
      }
    }
    lastCounts = new HashMap<>(counts);
  }

  /** A peer-chosen name for a log line: bounded and without control characters. */
  private static String printable(String chain) {
    String cut = chain.length() > 64 ? chain.substring(0, 64) + "..." : chain;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
