package io.meridian.bench.registry;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds, kept exactly (no histogram buckets): a benchmark run here holds
 * at most a few million, and exact percentiles need no explanation.
 *
 * <p>Thread-safety: not thread-safe. Each writer chain or watcher owns one; they are merged with
 * {@link #merge} after their owners finished (the join is the happens-before edge).
 */
final class Samples {

  /** Hard cap per instance, so a runaway loop cannot eat the heap (about 64 MiB). */
  static final int MAX = 8 << 20;

  private long[] values = new long[1024];
  private int size;
  private long dropped;

  void add(long nanos) {
    if (size == values.length) {
      if (size >= MAX) {
        dropped++;
        return;
      }
      values = Arrays.copyOf(values, Math.min(MAX, size * 2));
    }
    values[size++] = nanos;
  }

  int size() {
    return size;
  }

  long dropped() {
    return dropped;
  }

  /** All samples of {@code parts} in one sorted summary. */
  static Summary merge(Iterable<Samples> parts) {
    int n = 0;
    long dropped = 0;
    for (Samples s : parts) {
      n += s.size;
      dropped += s.dropped;
    }
    long[] all = new long[n];
    int at = 0;
    for (Samples s : parts) {
      System.arraycopy(s.values, 0, all, at, s.size);
      at += s.size;
    }
    Arrays.sort(all);
    return new Summary(all, dropped);
  }

  /**
   * Sorted samples.
   *
   * <p>Thread-safety: immutable after construction.
   */
  static final class Summary {
    private final long[] sorted;
    private final long dropped;

    Summary(long[] sorted, long dropped) {
      this.sorted = sorted;
      this.dropped = dropped;
    }

    int count() {
      return sorted.length;
    }

    long dropped() {
      return dropped;
    }

    /** The nearest-rank percentile {@code p} (0..100) in milliseconds; NaN when empty. */
    double percentileMillis(double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      int i = Math.min(sorted.length - 1, Math.max(0, rank - 1));
      return sorted[i] / 1e6;
    }

    double maxMillis() {
      return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
    }
  }
}
