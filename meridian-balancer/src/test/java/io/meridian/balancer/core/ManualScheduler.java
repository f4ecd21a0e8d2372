package io.meridian.balancer.core;

import java.time.Duration;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic {@link ScheduledExecutorService} with its own clock, for tests: nothing runs
 * until the test calls {@link #runPending()} or {@link #advance}, and then on the test's thread, in
 * deadline order (submission order for equal deadlines). {@link #nanoTime()} is the ticker to
 * inject alongside it.
 *
 * <p>Thread-safety: not thread-safe; one test thread drives it.
 */
public final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long now = 1_000_000_000_000L; // arbitrary: nothing may assume the clock starts at 0
  private long sequence;
  private boolean shutdown;

  /** The fake clock, in nanoseconds. */
  public long nanoTime() {
    return now;
  }

  /** Runs every task due now, including those they submit for now. */
  public void runPending() {
    advance(Duration.ZERO);
  }

  /** Moves the clock forward by {@code d}, running each task at its deadline on the way. */
  public void advance(Duration d) {
    long target = now + d.toNanos();
    while (!queue.isEmpty() && queue.peek().at - target <= 0) {
      Task t = queue.poll();
      if (t.cancelled) {
        continue;
      }
      now = Math.max(now, t.at);
      t.done = true;
      t.command.run();
    }
    now = target;
  }

  /** Tasks waiting, cancelled ones excluded. */
  public int pending() {
    return (int) queue.stream().filter(t -> !t.cancelled).count();
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Task t = new Task(command, now + Math.max(0, unit.toNanos(delay)), sequence++);
    queue.add(t);
    return t;
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = queue.stream().map(t -> t.command).toList();
    queue.clear();
    return left;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task implements ScheduledFuture<Object> {
    final Runnable command;
    final long at;
    final long seq;
    boolean cancelled;
    boolean done;

    Task(Runnable command, long at, long seq) {
      this.command = command;
      this.at = at;
      this.seq = seq;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(at - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Task t = (Task) o;
      int c = Long.signum(at - t.at);
      return c != 0 ? c : Long.compare(seq, t.seq);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (done || cancelled) {
        return false;
      }
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }
}
