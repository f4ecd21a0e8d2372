package io.meridian.cli;

import io.meridian.api.GoDuration;
import picocli.CommandLine;

/**
 * Reads durations as Go and Kubernetes write them ({@code 10s}, {@code 1m30s}, {@code 500ms}).
 *
 * <p>Stateless.
 */
final class DurationConverter implements CommandLine.ITypeConverter<GoDuration> {

  @Override
  public GoDuration convert(String value) {
    try {
      return GoDuration.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /** Whole seconds, rounded up, for {@code gracePeriodSeconds}. */
  static long ceilSeconds(GoDuration d) {
    long millis = d.duration().toMillis();
    return (millis + 999) / 1000;
  }
}
