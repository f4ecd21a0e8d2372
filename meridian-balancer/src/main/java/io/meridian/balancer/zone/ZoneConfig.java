package io.meridian.balancer.zone;

import java.util.Objects;

/**
 * Configuration of zone preference (see {@link ZonePreference}). Immutable; validated when built: a
 * bad value is an {@link IllegalArgumentException} naming the field.
 *
 * @param localZone the caller's zone; "" turns preference off
 * @param minHealthyPercent the local zone is preferred only while at least this % of its backends
 *     are healthy, 0..100 (default 70)
 * @param minBackends ... and at least this many of them are healthy, at least 1 (default 1)
 */
public record ZoneConfig(String localZone, double minHealthyPercent, int minBackends) {

  public ZoneConfig {
    Objects.requireNonNull(localZone, "localZone");
    if (!(minHealthyPercent >= 0 && minHealthyPercent <= 100)) {
      throw new IllegalArgumentException(
          "minHealthyPercent must be 0..100, got " + minHealthyPercent);
    }
    if (minBackends < 1) {
      throw new IllegalArgumentException("minBackends must be >= 1, got " + minBackends);
    }
  }

  /** Prefer {@code localZone} with the defaults: 70 % healthy, at least one backend. */
  public static ZoneConfig of(String localZone) {
    return new ZoneConfig(localZone, 70, 1);
  }

  /** Whether a local zone is set. */
  public boolean enabled() {
    return !localZone.isEmpty();
  }
}
