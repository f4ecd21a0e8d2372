package io.meridian.registry.health;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor that may have many threads
 * (grpc-java's {@code SynchronizationContext} idea): state confined to it needs no lock, and each
 * task sees everything the previous ones wrote. A task that throws is logged and does not stop the
 * ones after it. Tasks must not block.
 *
 * <p>Thread-safety: {@link #execute} is safe from any thread, including from a running task (the
 * task is queued, never run re-entrantly).
 */
final class SerialExecutor implements Executor {

  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor delegate;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  /**
   * Queues {@code task}.
   *
   * @throws java.util.concurrent.RejectedExecutionException when the delegate refuses to run the
   *     queue (it was shut down); the task stays queued until someone else drains it
   */
  @Override
  public void execute(Runnable task) {
    queue.add(task);
    schedule();
  }

  private void schedule() {
    if (draining.compareAndSet(false, true)) {
      try {
        delegate.execute(this::drain);
      } catch (RuntimeException e) {
        draining.set(false);
        throw e;
      }
    }
  }

  private void drain() {
    try {
      Runnable task;
      while ((task = queue.poll()) != null) {
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          log.error("task failed on the health controller's serial executor", e);
        }
      }
    } finally {
      draining.set(false);
    }
    if (!queue.isEmpty()) {
      schedule();
    }
  }
}
