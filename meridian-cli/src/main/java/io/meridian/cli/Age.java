package io.meridian.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The AGE column: a short, human duration with two significant units while they matter, as kubectl
 * prints it ({@code 45s}, {@code 5m30s}, {@code 47m}, {@code 3h20m}, {@code 30h}, {@code 3d4h},
 * {@code 200d}, {@code 2y15d}). The thresholds (2 minutes, 10 minutes, 3 hours, 8 hours, 2 days, 8
 * days, 2 years, 8 years) are kubectl's, so both tools print the same age. Stateless.
 */
final class Age {

  static final String UNKNOWN = "<unknown>";

  private Age() {}

  /** The age at {@code now} of something created at {@code rfc3339}, or {@code <unknown>}. */
  static String since(String rfc3339, Instant now) {
    if (rfc3339 == null || rfc3339.isEmpty()) {
      return UNKNOWN;
    }
    try {
      return format(Duration.between(Instant.parse(rfc3339), now));
    } catch (DateTimeParseException e) {
      return UNKNOWN;
    }
  }

  static String format(Duration d) {
    long seconds = Math.round(d.toMillis() / 1000.0);
    if (seconds < -1) {
      return "<invalid>";
    }
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      return two(minutes, "m", seconds % 60, "s");
    }
    if (minutes < 180) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      return two(hours, "h", minutes % 60, "m");
    }
    if (hours < 48) {
      return hours + "h";
    }
    long days = hours / 24;
    if (hours < 24 * 8) {
      return two(days, "d", hours % 24, "h");
    }
    if (days < 365 * 2) {
      return days + "d";
    }
    long years = days / 365;
    if (years < 8) {
      return two(years, "y", days % 365, "d");
    }
    return years + "y";
  }

  private static String two(long big, String bigUnit, long small, String smallUnit) {
    return small == 0 ? big + bigUnit : big + bigUnit + small + smallUnit;
  }
}
