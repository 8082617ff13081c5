package io.disjoint.node.serve;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a serving node checks receipt signatures and queues receipts for the store after the
 * answer went out: a few long-lived platform threads (their per-thread SHA-256 digests and JIT
 * state are reused; a virtual thread per receipt would pay thread and digest creation each time)
 * with a bounded queue. When the queue is full, the work goes to {@code overflow} instead, so the
 * relay's event loop never blocks and no receipt is dropped.
 */
final class ReceiptWorkers implements Executor, AutoCloseable {
  static final int QUEUE_CAPACITY = 65_536;

  private final ThreadPoolExecutor pool;
  private final Executor overflow;
  private final java.util.concurrent.ScheduledExecutorService timer =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "receipt-batch-sweep");
        t.setDaemon(true);
        return t;
      });

  ReceiptWorkers(int threads, Executor overflow) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1");
    }
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
      Thread t = new Thread(r, "receipt-verify-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.overflow = overflow;
  }

  /** One thread per core, at most 4: verification must not crowd out the event loops. */
  static ReceiptWorkers forThisMachine(Executor overflow) {
    return new ReceiptWorkers(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), overflow);
  }

  @Override
  public void execute(Runnable task) {
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      overflow.execute(task);
    }
  }

  /** Runs {@code task} every {@code periodMs} on a timer thread (it must only hand work off). */
  void every(long periodMs, Runnable task) {
    timer.scheduleWithFixedDelay(task, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /** Stops taking work and lets queued checks finish (up to a few seconds) so their receipts reach the store. */
  @Override
  public void close() {
    timer.shutdownNow();
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
