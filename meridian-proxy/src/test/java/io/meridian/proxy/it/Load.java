package io.meridian.proxy.it;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded open-loop load generator for the proxy tests: starts one call every {@code 1/rate}
 * seconds (each on a virtual thread, so a slow call does not slow the schedule) until {@link #stop}
 * or {@code max} calls, and records which backend answered each call and when each failure
 * happened.
 *
 * <p>Thread-safety: the counters are concurrent; start and stop from the test thread.
 */
final class Load implements AutoCloseable {

  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger sent = new AtomicInteger();
  private final List<Long> failures = new CopyOnWriteArrayList<>();
  private final List<String> failureReasons = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();

  /**
   * Starts calling {@code call} (which returns the answering backend's name, or throws) {@code
   * rate} times a second, at most {@code max} times.
   */
  static Load start(int rate, int max, Callable<String> call) {
    Load l = new Load();
    long periodMicros = 1_000_000L / rate;
    l.ticker.scheduleAtFixedRate(
        () -> {
          if (l.sent.incrementAndGet() > max) {
            return;
          }
          l.pool.execute(
              () -> {
                try {
                  String who = call.call();
                  l.served.computeIfAbsent(who, k -> new AtomicInteger()).incrementAndGet();
                } catch (Exception e) {
                  l.failures.add(System.nanoTime());
                  l.failureReasons.add(String.valueOf(e));
                }
              });
        },
        0,
        periodMicros,
        TimeUnit.MICROSECONDS);
    return l;
  }

  /** Stops starting calls and waits (up to 30 s) for those in flight. */
  void stop() throws InterruptedException {
    ticker.shutdownNow();
    pool.shutdown();
    if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
      pool.shutdownNow();
      throw new AssertionError("calls still running 30 s after the load stopped");
    }
  }

  int sent() {
    return sent.get();
  }

  /** When each failed call failed ({@link System#nanoTime()}). */
  List<Long> failures() {
    return failures;
  }

  List<String> failureReasons() {
    return failureReasons;
  }

  /** Calls answered, by backend. */
  Map<String, Integer> served() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    served.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    pool.shutdownNow();
  }
}
