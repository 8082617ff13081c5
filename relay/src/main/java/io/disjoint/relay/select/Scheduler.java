package io.disjoint.relay.select;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Runs tasks after a delay; injected so hedges, deadlines and cooldowns are tested without sleeping. */
@FunctionalInterface
public interface Scheduler {
  Cancellable schedule(Duration delay, Runnable task);

  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }

  /**
   * A scheduler backed by an executor (a Netty event loop group works too). Every routed request
   * schedules a deadline and usually cancels it long before it is due, so a
   * {@link ScheduledThreadPoolExecutor} is switched to remove cancelled tasks at once instead of
   * keeping them queued until their time.
   */
  static Scheduler of(ScheduledExecutorService executor) {
    if (executor instanceof ScheduledThreadPoolExecutor pool) {
      pool.setRemoveOnCancelPolicy(true);
    }
    return (delay, task) -> {
      ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }

  /**
   * A scheduler on a hashed wheel timer: scheduling and cancelling are a lock-free queue add with
   * no thread wake-up, which matters when every request arms a deadline and a hedge timer and
   * almost always cancels both. Resolution is the wheel's tick (e.g. 1 ms).
   */
  static Scheduler wheel(HashedWheelTimer timer) {
    return (delay, task) -> {
      Timeout t = timer.newTimeout(x -> task.run(), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      return t::cancel;
    };
  }

  /**
   * Schedules on the Netty event loop that calls {@link #schedule}, and on {@code elsewhere} when
   * the caller is not an event loop thread. A request routed from a connection's event loop arms
   * its hedge and deadline timers in that loop's own timer queue: no lock, no other thread woken,
   * and cancelling from the loop removes the timer at once (from another thread the loop drops it
   * lazily, again without a wake-up). The task runs on that loop, so it must be thread-safe with
   * respect to the code that completes the request elsewhere.
   */
  static Scheduler onCallingEventLoop(Scheduler elsewhere) {
    return (delay, task) -> {
      EventExecutor loop = ThreadExecutorMap.currentExecutor();
      if (loop == null || loop.isShuttingDown()) {
        return elsewhere.schedule(delay, task);
      }
      io.netty.util.concurrent.ScheduledFuture<?> f =
          loop.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
