package io.meridian.balancer.core;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a shared scheduler: the balancer's
 * synchronization context (grpc-java's {@code SynchronizationContext}, but draining on the
 * scheduler's thread rather than the caller's, so a reporting request thread never runs balancer
 * work).
 *
 * <p>A task that throws is handed to the running thread's uncaught-exception handler and the next
 * task runs. A task submitted from a task runs after it, never inside it (non-reentrant).
 *
 * <p>Thread-safety: {@link #execute} and {@link #schedule} from any thread. The queue is lock-free;
 * {@code draining} guards that at most one drain runs, and its set/get pairs order the tasks'
 * memory effects, so state touched only by tasks needs no further synchronization.
 */
final class SerialExecutor implements Executor {

  private final ScheduledExecutorService scheduler;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Runnable drain = this::drain;

  SerialExecutor(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    if (draining.compareAndSet(false, true)) {
      try {
        scheduler.execute(drain);
      } catch (RejectedExecutionException e) {
        draining.set(false);
        throw e;
      }
    }
  }

  /** Runs {@code task} on this executor after {@code delayNanos}. */
  ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    return scheduler.schedule(() -> execute(task), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void drain() {
    do {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        try {
          task.run();
        } catch (Throwable t) {
          Thread thread = Thread.currentThread();
          thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
        }
      }
      draining.set(false);
    } while (!tasks.isEmpty() && draining.compareAndSet(false, true));
  }
}
