package dev.eventkit.connect.outbox.capture.poll;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a polling capture wait between reads and be woken early from another thread (the task's
 * {@code stop()}), without missing a wake-up that comes before the wait.
 */
public final class WakeupSignal {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition woken = lock.newCondition();
  private boolean requested;

  /** Waits up to {@code maxWaitMs} or until woken; returns whether it was woken (and resets). */
  public boolean await(long maxWaitMs) {
    lock.lock();
    try {
      long remaining = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
      while (!requested && remaining > 0) {
        remaining = woken.awaitNanos(remaining);
      }
      return consumeLocked();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether a wake-up is pending, without waiting (and resets it). */
  public boolean consume() {
    lock.lock();
    try {
      return consumeLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Ends a current or the next wait, from any thread. */
  public void wakeup() {
    lock.lock();
    try {
      requested = true;
      woken.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private boolean consumeLocked() {
    boolean was = requested;
    requested = false;
    return was;
  }
}
