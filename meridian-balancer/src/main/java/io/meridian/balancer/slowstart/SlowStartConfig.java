package io.meridian.balancer.slowstart;

import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of slow start, after Envoy's {@code slow_start_config} (see {@link SlowStart}).
 * Immutable; validated when built: a bad value is an {@link IllegalArgumentException} naming the
 * field.
 *
 * @param window how long a new backend ramps up; {@link Duration#ZERO} turns slow start off (the
 *     default, as in Envoy)
 * @param aggression the ramp's shape: weight grows as {@code (t / window)^(1 / aggression)}; 1.0 is
 *     linear (Envoy's default), above 1 ramps faster early, below 1 slower
 * @param minWeightPercent the floor, in % of the backend's weight, 0..100 (Envoy's default 10)
 */
public record SlowStartConfig(Duration window, double aggression, double minWeightPercent) {

  /** Slow start off. */
  public static final SlowStartConfig OFF = new SlowStartConfig(Duration.ZERO, 1.0, 10);

  public SlowStartConfig {
    Objects.requireNonNull(window, "window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("window must not be negative, got " + window);
    }
    if (window.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException("window must be at most 365 days, got " + window);
    }
    if (!(aggression > 0) || Double.isInfinite(aggression)) {
      throw new IllegalArgumentException(
          "aggression must be a finite number > 0, got " + aggression);
    }
    if (!(minWeightPercent >= 0 && minWeightPercent <= 100)) {
      throw new IllegalArgumentException(
          "minWeightPercent must be 0..100, got " + minWeightPercent);
    }
  }

  /** A linear ramp over {@code window} from 10 % of the weight: Envoy's defaults. */
  public static SlowStartConfig of(Duration window) {
    return new SlowStartConfig(window, 1.0, 10);
  }

  /** Whether slow start is on (a positive window). */
  public boolean enabled() {
    return !window.isZero();
  }
}
