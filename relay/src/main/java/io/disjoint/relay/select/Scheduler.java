package io.disjoint.relay.select;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
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
}
