package io.meridian.client.internal;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on threads of a delegate executor (grpc's {@code
 * SynchronizationContext}, Guava's {@code SequentialExecutor}). State confined to one serial
 * executor needs no lock.
 *
 * <p>A task that throws is logged and does not stop the ones after it. A task submitted from a
 * running task runs after it, never nested inside it.
 *
 * <p>Thread-safety: {@link #execute} is safe from any thread; tasks never run concurrently and each
 * happens-before the next.
 */
public final class SerialExecutor implements Executor {

  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor delegate;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile Thread drainer;

  public SerialExecutor(Executor delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public void execute(Runnable task) {
    queue.add(Objects.requireNonNull(task, "task"));
    schedule();
  }

  /** Whether the calling thread is running a task of this executor. */
  public boolean inContext() {
    return drainer == Thread.currentThread();
  }

  private void schedule() {
    if (draining.compareAndSet(false, true)) {
      try {
        delegate.execute(this::drain);
      } catch (RejectedExecutionException e) {
        draining.set(false);
        queue.clear(); // the delegate is shut down: nothing will ever run these
        log.debug("serial executor's delegate is shut down; dropping tasks");
      }
    }
  }

  private void drain() {
    drainer = Thread.currentThread();
    try {
      Runnable task;
      while ((task = queue.poll()) != null) {
        try {
          task.run();
        } catch (Throwable t) {
          log.error("task failed on serial executor", t);
        }
      }
    } finally {
      drainer = null;
      draining.set(false);
    }
    if (!queue.isEmpty()) {
      schedule(); // a task slipped in between the last poll and clearing the flag
    }
  }
}
