package io.meridian.proxy.cluster;

import java.util.concurrent.atomic.LongAdder;

/**
 * Request latencies of one cluster as a fixed-bucket histogram: one {@link LongAdder} per bucket
 * plus the sum, so that recording on the data path takes no lock and allocates nothing. The admin
 * port renders it as a Prometheus histogram ({@code
 * meridian_proxy_upstream_request_duration_seconds}).
 *
 * <p>Design note: the bounds are Envoy's default histogram buckets (0.5 ms to 5 s) with 2.5 ms
 * added, 13 of them: fine enough below 10 ms to see a local hop, coarse above 1 s where a request
 * is slow whatever its exact time. Anything slower than 5 s (a request may run up to {@code
 * requestTimeout}, 15 s by default) lands in the last, unbounded bucket; the sum stays exact. A
 * value falls into the first bucket whose bound is greater than or equal to it ({@code le}, as
 * Prometheus defines buckets). The search is linear: 13 comparisons cost less than a binary
 * search's branches at this size.
 *
 * <p>Thread-safety: {@link #record} may be called from any thread. {@link #counts} and {@link
 * #sumNanos} read the adders one by one, so a reading taken while requests are recorded may count a
 * request in the buckets but not yet in the sum (or the other way round); the next reading catches
 * up. Readers should derive the total count from {@link #counts} so that it always equals the
 * buckets' total.
 */
public final class LatencyHistogram {

  /** The upper bounds, in nanoseconds, increasing; the bucket past the last one is unbounded. */
  private static final long[] BOUNDS_NANOS = {
    500_000L,
    1_000_000L,
    2_500_000L,
    5_000_000L,
    10_000_000L,
    25_000_000L,
    50_000_000L,
    100_000_000L,
    250_000_000L,
    500_000_000L,
    1_000_000_000L,
    2_500_000_000L,
    5_000_000_000L
  };

  /** The same bounds in seconds, written out so that they print exactly. */
  private static final double[] BOUNDS_SECONDS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0
  };

  private final LongAdder[] buckets = new LongAdder[BOUNDS_NANOS.length + 1];
  private final LongAdder sumNanos = new LongAdder();

  public LatencyHistogram() {
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  /** Records one request that took {@code nanos} (a negative value counts as 0). */
  public void record(long nanos) {
    if (nanos < 0) {
      nanos = 0;
    }
    int i = 0;
    while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
      i++;
    }
    buckets[i].increment();
    sumNanos.add(nanos);
  }

  /** The finite upper bounds in seconds, increasing (a copy); {@code +Inf} is implied. */
  public static double[] upperBoundsSeconds() {
    return BOUNDS_SECONDS.clone();
  }

  /**
   * Requests per bucket, not cumulative: one entry per {@link #upperBoundsSeconds() bound}, then
   * the requests slower than the last bound.
   */
  public long[] counts() {
    long[] out = new long[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      out[i] = buckets[i].sum();
    }
    return out;
  }

  /** The recorded latencies' total, in nanoseconds. */
  public long sumNanos() {
    return sumNanos.sum();
  }
}
