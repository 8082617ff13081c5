package io.disjoint.staking.receipt;

import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.staking.merkle.BatchPath;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;

/**
 * Gateway side of batched receipt signatures: receipts go out unsigned and one
 * {@link ReceiptBatch} per serving node signs them, sealed every {@code maxReceipts} receipts or
 * once its oldest receipt is {@code maxAge} old, whichever comes first. One Ed25519 signature per
 * batch instead of one per receipt.
 *
 * <p>A sealed batch rides on the next request to its node ({@link #takeSealed}); {@link #tick},
 * called every {@code maxAge}, seals what has aged and hands back the sealed batches no request
 * picked up since the previous tick, for the caller to send on their own (a node that gets no
 * more requests must still get the batch, or it stops serving this gateway after its timeout).
 * So a receipt's batch reaches its node at most about three ticks after the receipt.
 * Thread-safe: the state of each node is guarded by its own lock.
 */
public final class ReceiptBatcher {
  public static final int DEFAULT_MAX_RECEIPTS = 256;
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMillis(20);

  private final ReceiptSigner signer;
  private final int maxReceipts;
  private final long maxAgeMs;
  private final Clock clock;
  private final Map<PeerId, NodeBatches> nodes = new ConcurrentHashMap<>();

  /** A sealed batch that no request carried: send it to {@code node} on its own. */
  public record Unsent(PeerId node, ReceiptBatchMessage batch) {}

  private static final class NodeBatches {
    final Bytes nodeId;
    long nextSequence = 1;
    final List<Bytes32> open = new ArrayList<>();
    long openSinceMs;
    final ArrayDeque<Sealed> sealed = new ArrayDeque<>();

    NodeBatches(Bytes nodeId) {
      this.nodeId = nodeId;
    }
  }

  private record Sealed(ReceiptBatchMessage batch, long sealedAtMs) {}

  public ReceiptBatcher(ReceiptSigner signer, int maxReceipts, Duration maxAge, Clock clock) {
    if (maxReceipts < 1 || maxReceipts > BatchPath.MAX_LEAVES) {
      throw new IllegalArgumentException("receipts per batch must be 1.." + BatchPath.MAX_LEAVES + ": " + maxReceipts);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("batch age must be > 0: " + maxAge);
    }
    this.signer = signer;
    this.maxReceipts = maxReceipts;
    this.maxAgeMs = maxAge.toMillis();
    this.clock = clock;
  }

  public ReceiptSigner signer() {
    return signer;
  }

  public Duration maxAge() {
    return Duration.ofMillis(maxAgeMs);
  }

  /** An unsigned receipt for {@code node}, listed in that node's open batch. */
  public PaymentReceipt issue(PeerId node, String chain, byte[] requestHash, long computeUnits, BigInteger value) {
    PaymentReceipt r = signer.issueUnsigned(node, chain, requestHash, computeUnits, value);
    NodeBatches b = nodes.computeIfAbsent(node, n -> new NodeBatches(Bytes.wrap(n.bytes())));
    synchronized (b) {
      if (b.open.isEmpty()) {
        b.openSinceMs = clock.millis();
      }
      b.open.add(r.id());
      if (b.open.size() >= maxReceipts) {
        seal(b, clock.millis());
      }
    }
    return r;
  }

  /** The oldest sealed batch for {@code node} that no request carried yet. */
  public Optional<ReceiptBatchMessage> takeSealed(PeerId node) {
    NodeBatches b = nodes.get(node);
    if (b == null) {
      return Optional.empty();
    }
    synchronized (b) {
      Sealed s = b.sealed.poll();
      return s == null ? Optional.empty() : Optional.of(s.batch());
    }
  }

  /**
   * Seals batches whose oldest receipt is at least {@code maxAge} old and returns the sealed
   * batches that have waited at least {@code maxAge} for a request to carry them.
   */
  public List<Unsent> tick() {
    long now = clock.millis();
    List<Unsent> out = new ArrayList<>();
    for (Map.Entry<PeerId, NodeBatches> e : nodes.entrySet()) {
      NodeBatches b = e.getValue();
      synchronized (b) {
        while (!b.sealed.isEmpty() && b.sealed.peek().sealedAtMs() <= now - maxAgeMs) {
          out.add(new Unsent(e.getKey(), b.sealed.poll().batch()));
        }
        if (!b.open.isEmpty() && b.openSinceMs <= now - maxAgeMs) {
          seal(b, now);
        }
      }
    }
    return out;
  }

  /**
   * Drops everything open or sealed for {@code node}: it takes only signed receipts, so it refused
   * every receipt these batches list (a batch-only request would only confuse it).
   */
  public void forget(PeerId node) {
    nodes.remove(node);
  }

  /** Seals every open batch now and returns everything sealed (shutdown, tests). */
  public List<Unsent> flushAll() {
    long now = clock.millis();
    List<Unsent> out = new ArrayList<>();
    for (Map.Entry<PeerId, NodeBatches> e : nodes.entrySet()) {
      NodeBatches b = e.getValue();
      synchronized (b) {
        if (!b.open.isEmpty()) {
          seal(b, now);
        }
        while (!b.sealed.isEmpty()) {
          out.add(new Unsent(e.getKey(), b.sealed.poll().batch()));
        }
      }
    }
    return out;
  }

  private void seal(NodeBatches b, long now) {
    ReceiptBatchMessage m = signer.signBatch(b.nodeId, b.nextSequence++, b.open);
    b.open.clear();
    b.sealed.add(new Sealed(m, now));
  }
}
