package io.meridian.client.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Delays between reconnection attempts: exponential with "full jitter".
 *
 * <h2>Design note</h2>
 *
 * <p>Attempt {@code n} (from 0) waits a uniformly random time in {@code [min, min(max, min *
 * 2^(n+1))]}: exponential growth so that a registry that is down is asked less and less often, and
 * full jitter (Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015) so that a
 * fleet of clients that lost the registry at the same moment, as all do when it restarts, does not
 * come back in lockstep. The floor {@code min} keeps a client from retrying in a hot loop.
 *
 * <p>Constants: multiplier 2 doubles as the classic binary exponential backoff; the defaults {@link
 * #DEFAULT_MIN} 100 ms (a restart of a local registry is back within a few hundred ms) and {@link
 * #DEFAULT_MAX} 5 s (a client learns that the registry is back within 5 s, and 10,000 clients make
 * at most 2,000 attempts per second at the cap) are {@link io.meridian.client.ClusterWatch}'s.
 *
 * <p>Thread-safety: immutable, but the injected {@link RandomGenerator} is called; pass a
 * thread-safe one or call from one thread ({@code ClusterWatch} calls from its serial executor).
 */
public final class Backoff {

  public static final Duration DEFAULT_MIN = Duration.ofMillis(100);
  public static final Duration DEFAULT_MAX = Duration.ofSeconds(5);

  private final long minNanos;
  private final long maxNanos;
  private final RandomGenerator random;

  public Backoff(Duration min, Duration max, RandomGenerator random) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + min + " .. " + max);
    }
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
    this.random = Objects.requireNonNull(random, "random");
  }

  /** The delay before attempt {@code attempt} (0 for the first retry), in nanoseconds. */
  public long delayNanos(int attempt) {
    long ceiling = ceilingNanos(attempt);
    return ceiling == minNanos ? minNanos : random.nextLong(minNanos, ceiling + 1);
  }

  /**
   * The upper bound of {@link #delayNanos(int)}: {@code min(max, min * 2^(attempt+1))}; even the
   * first retry is jittered, since that is the one a whole fleet makes at once.
   */
  public long ceilingNanos(int attempt) {
    int shift = Math.min(Math.max(attempt, 0) + 1, 62);
    long c = minNanos << shift;
    return (c >>> shift) != minNanos || c > maxNanos || c <= 0 ? maxNanos : c;
  }
}
