package io.disjoint.staking.store;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer's queue: many callers put, one consumer (the builder) takes in bulk. Bounded, so a
 * caller blocks once {@code capacity} writes are pending. Lock-free on both sides: a put is a
 * permit taken from a semaphore (one CAS while there is room) and a CAS on the queue's tail; the
 * consumer parks only when the queue is empty and is unparked by the put that follows. A single
 * lock (ArrayBlockingQueue) made the callers and the builder hand the lock and each other's
 * wake-ups back and forth for every receipt.
 *
 * <p>The consumer can also wait for the queue to reach a length (linger): a put that brings the
 * queue to that length wakes it early.
 */
final class WriteQueue<T> {
  private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
  private final Semaphore room;
  private final int capacity;
  private volatile Thread consumer;
  /** Queue length at which a put wakes the consumer; 0 while it is not waiting. */
  private volatile int wakeAt;

  WriteQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("queue capacity must be >= 1: " + capacity);
    }
    this.capacity = capacity;
    this.room = new Semaphore(capacity);
  }

  /** Queues {@code item}, blocking while the queue is full. */
  void put(T item) throws InterruptedException {
    room.acquire();
    items.offer(item);
    int at = wakeAt;
    if (at > 0 && size() >= at) {
      LockSupport.unpark(consumer);
    }
  }

  /** Writes queued now (approximate while puts are in progress). */
  int size() {
    return capacity - room.availablePermits();
  }

  /** Moves up to {@code max} queued items to {@code out}; consumer thread only. */
  int drainTo(List<T> out, int max) {
    int n = 0;
    T t;
    while (n < max && (t = items.poll()) != null) {
      out.add(t);
      n++;
    }
    if (n > 0) {
      room.release(n);
    }
    return n;
  }

  /**
   * Consumer thread only: parks until the queue holds at least {@code length} items or
   * {@code nanos} passed (or a spurious wake-up: callers re-check).
   */
  void awaitLength(int length, long nanos) {
    consumer = Thread.currentThread();
    wakeAt = Math.max(1, length);
    // a put that queued before wakeAt was set did not see it: re-check before parking
    if (size() < length) {
      LockSupport.parkNanos(this, nanos);
    }
    wakeAt = 0;
  }

  boolean isEmpty() {
    return items.isEmpty();
  }

  /** Removes everything still queued (after the consumer stopped). */
  T poll() {
    T t = items.poll();
    if (t != null) {
      room.release();
    }
    return t;
  }
}
