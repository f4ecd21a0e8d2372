package io.meridian.bench.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time of a process, as the kernel accounts it (user + system, all threads), read through
 * {@link ProcessHandle.Info#totalCpuDuration()} (on Linux, {@code /proc/<pid>/stat}), and of the
 * whole machine ({@code /proc/stat}), so a report can say how much CPU other work on the machine
 * took during a measurement.
 *
 * <p>Thread-safety: stateless.
 */
final class Cpu {

  private Cpu() {}

  /** CPU nanoseconds used so far by {@code process}, or -1 if unknown. */
  static long nanos(ProcessHandle process) {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  /** Busy CPU nanoseconds of the whole machine so far (all CPUs, not idle or iowait), or -1. */
  static long machineNanos() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal
      long ticks = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        ticks += Long.parseLong(f[i]);
      }
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Waits, at most {@code maxWaitMillis}, for a one-second window in which the whole machine used
   * less than {@code cores} CPUs (this benchmark's own processes being idle at that point), so a
   * run does not start in the middle of someone else's build. Returns the load of the last window,
   * in cores.
   */
  static double awaitQuiet(double cores, long maxWaitMillis) throws InterruptedException {
    long deadline = System.nanoTime() + maxWaitMillis * 1_000_000L;
    double load;
    do {
      long b0 = machineNanos();
      long t0 = System.nanoTime();
      Thread.sleep(1000);
      load = cores(b0, machineNanos(), (System.nanoTime() - t0) / 1e9);
    } while (load >= cores && System.nanoTime() < deadline);
    return load;
  }

  /**
   * CPU used between two {@link #nanos} readings over {@code wallSeconds}, in cores (1.0 = one
   * core).
   */
  static double cores(long before, long after, double wallSeconds) {
    return before < 0 || after < before || wallSeconds <= 0
        ? Double.NaN
        : (after - before) / 1e9 / wallSeconds;
  }
}
