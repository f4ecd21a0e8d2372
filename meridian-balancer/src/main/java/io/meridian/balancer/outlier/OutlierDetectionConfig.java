package io.meridian.balancer.outlier;

import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of passive outlier detection, after Envoy's {@code outlier_detection} (same
 * meanings, same defaults; see {@link OutlierDetector} for the algorithm). Immutable; validated
 * when built: a bad value is an {@link IllegalArgumentException} naming the field.
 *
 * @param consecutiveFailures ejects a backend after this many {@link
 *     io.meridian.balancer.Outcome#FAILURE FAILURE} or {@link
 *     io.meridian.balancer.Outcome#CONNECT_FAILURE CONNECT_FAILURE} outcomes in a row (Envoy {@code
 *     consecutive_5xx}, default 5); 0 turns this detector off
 * @param consecutiveConnectFailures ejects after this many {@code CONNECT_FAILURE}s in a row, a
 *     backend that cannot be reached at all (Envoy {@code consecutive_local_origin_failure});
 *     default 0, off, because {@code consecutiveFailures} already counts them
 * @param timeoutIsFailure whether a {@code TIMEOUT} counts as a failure; default false: a timeout
 *     is the caller giving up and says nothing certain about the backend, so it is ignored
 * @param interval how often success rates are evaluated and ejection multipliers decay (Envoy
 *     {@code interval}, default 10 s)
 * @param baseEjectionTime how long the first ejection lasts; the n-th lasts n times as long (Envoy
 *     {@code base_ejection_time}, default 30 s)
 * @param maxEjectionTime the cap on one ejection (Envoy {@code max_ejection_time}, default 300 s);
 *     at least {@code baseEjectionTime}
 * @param maxEjectionPercent at most this % of the backends are ejected at once, 0..100 (Envoy
 *     {@code max_ejection_percent}, default 10)
 * @param successRateEjection whether success-rate ejection runs (Envoy {@code
 *     enforcing_success_rate} 100 or 0; default true)
 * @param successRateMinimumHosts success rates are compared only when at least this many backends
 *     have enough volume (Envoy {@code success_rate_minimum_hosts}, default 5)
 * @param successRateRequestVolume a backend's success rate counts only with at least this many
 *     requests in the interval (Envoy {@code success_rate_request_volume}, default 100)
 * @param successRateStdevFactor a backend is an outlier below {@code mean - factor * stdev} (Envoy
 *     {@code success_rate_stdev_factor} / 1000, default 1.9)
 */
public record OutlierDetectionConfig(
    int consecutiveFailures,
    int consecutiveConnectFailures,
    boolean timeoutIsFailure,
    Duration interval,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectionPercent,
    boolean successRateEjection,
    int successRateMinimumHosts,
    int successRateRequestVolume,
    double successRateStdevFactor) {

  private static final OutlierDetectionConfig DEFAULTS =
      new OutlierDetectionConfig(
          5,
          0,
          false,
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          Duration.ofSeconds(300),
          10,
          true,
          5,
          100,
          1.9);

  public OutlierDetectionConfig {
    atLeast(consecutiveFailures, 0, "consecutiveFailures");
    atLeast(consecutiveConnectFailures, 0, "consecutiveConnectFailures");
    positive(interval, "interval");
    positive(baseEjectionTime, "baseEjectionTime");
    positive(maxEjectionTime, "maxEjectionTime");
    if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
      throw new IllegalArgumentException(
          "maxEjectionTime must be at least baseEjectionTime ("
              + baseEjectionTime
              + "), got "
              + maxEjectionTime);
    }
    if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
      throw new IllegalArgumentException(
          "maxEjectionPercent must be 0..100, got " + maxEjectionPercent);
    }
    atLeast(successRateMinimumHosts, 1, "successRateMinimumHosts");
    atLeast(successRateRequestVolume, 1, "successRateRequestVolume");
    if (!(successRateStdevFactor >= 0) || Double.isInfinite(successRateStdevFactor)) {
      throw new IllegalArgumentException(
          "successRateStdevFactor must be a finite number >= 0, got " + successRateStdevFactor);
    }
  }

  /** Envoy's defaults: 5 consecutive failures, 10 s interval, 30 s..300 s ejections, 10 %. */
  public static OutlierDetectionConfig defaults() {
    return DEFAULTS;
  }

  public OutlierDetectionConfig withConsecutiveFailures(int value) {
    return new OutlierDetectionConfig(
        value,
        consecutiveConnectFailures,
        timeoutIsFailure,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        successRateEjection,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor);
  }

  public OutlierDetectionConfig withConsecutiveConnectFailures(int value) {
    return new OutlierDetectionConfig(
        consecutiveFailures,
        value,
        timeoutIsFailure,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        successRateEjection,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor);
  }

  public OutlierDetectionConfig withTimeoutIsFailure(boolean value) {
    return new OutlierDetectionConfig(
        consecutiveFailures,
        consecutiveConnectFailures,
        value,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        successRateEjection,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor);
  }

  public OutlierDetectionConfig withInterval(Duration value) {
    return new OutlierDetectionConfig(
        consecutiveFailures,
        consecutiveConnectFailures,
        timeoutIsFailure,
        value,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        successRateEjection,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor);
  }

  /** Also raises {@code maxEjectionTime} to {@code value} when it was smaller. */
  public OutlierDetectionConfig withBaseEjectionTime(Duration value) {
    Objects.requireNonNull(value, "baseEjectionTime");
    return new OutlierDetectionConfig(
        consecutiveFailures,
        consecutiveConnectFailures,
        timeoutIsFailure,
        interval,
        value,
        maxEjectionTime.compareTo(value) < 0 ? value : maxEjectionTime,
        maxEjectionPercent,
        successRateEjection,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor);
  }

  public OutlierDetectionConfig withMaxEjectionTime(Duration value) {
    return new OutlierDetectionConfig(
        consecutiveFailures,
        consecutiveConnectFailures,
        timeoutIsFailure,
        interval,
        baseEjectionTime,
        value,
        maxEjectionPercent,
        successRateEjection,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor);
  }

  public OutlierDetectionConfig withMaxEjectionPercent(int value) {
    return new OutlierDetectionConfig(
        consecutiveFailures,
        consecutiveConnectFailures,
        timeoutIsFailure,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        value,
        successRateEjection,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor);
  }

  public OutlierDetectionConfig withSuccessRateEjection(boolean value) {
    return new OutlierDetectionConfig(
        consecutiveFailures,
        consecutiveConnectFailures,
        timeoutIsFailure,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        value,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor);
  }

  public OutlierDetectionConfig withSuccessRateMinimumHosts(int value) {
    return new OutlierDetectionConfig(
        consecutiveFailures,
        consecutiveConnectFailures,
        timeoutIsFailure,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        successRateEjection,
        value,
        successRateRequestVolume,
        successRateStdevFactor);
  }

  public OutlierDetectionConfig withSuccessRateRequestVolume(int value) {
    return new OutlierDetectionConfig(
        consecutiveFailures,
        consecutiveConnectFailures,
        timeoutIsFailure,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        successRateEjection,
        successRateMinimumHosts,
        value,
        successRateStdevFactor);
  }

  public OutlierDetectionConfig withSuccessRateStdevFactor(double value) {
    return new OutlierDetectionConfig(
        consecutiveFailures,
        consecutiveConnectFailures,
        timeoutIsFailure,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        successRateEjection,
        successRateMinimumHosts,
        successRateRequestVolume,
        value);
  }

  private static void atLeast(int value, int min, String field) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be >= " + min + ", got " + value);
    }
  }

  private static void positive(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
    // Times are kept in nanoseconds: about 292 years fit.
    if (value.compareTo(Duration.ofDays(365L * 100)) > 0) {
      throw new IllegalArgumentException(field + " must be at most 100 years, got " + value);
    }
  }
}
