package io.disjoint.relay.select;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A clock and a scheduler that move only when the test says so: hedges and deadlines without sleeping. */
final class ManualTime extends Clock implements Scheduler {
  private Instant now = Instant.parse("2026-11-23T12:00:00Z");
  private final List<Task> tasks = new ArrayList<>();
  private long sequence;

  private final class Task implements Cancellable {
    final Instant due;
    final long seq = sequence++;
    final Runnable body;
    boolean cancelled;

    Task(Instant due, Runnable body) {
      this.due = due;
      this.body = body;
    }

    @Override
    public void cancel() {
      synchronized (ManualTime.this) {
        cancelled = true;
      }
    }
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task t = new Task(now.plus(delay), task);
    tasks.add(t);
    return t;
  }

  /** Moves time forward, running every task that falls due, in order. */
  void advance(Duration d) {
    Instant target;
    synchronized (this) {
      target = now.plus(d);
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.stream().filter(t -> !t.cancelled && !t.due.isAfter(target))
            .min(Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.seq)).orElse(null);
        if (next == null) {
          now = target;
          return;
        }
        tasks.remove(next);
        if (next.due.isAfter(now)) {
          now = next.due;
        }
      }
      next.body.run();
    }
  }

  synchronized int pendingTasks() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
