package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duration written the way Kubernetes, Consul and Go write them: {@code 10s}, {@code 500ms},
 * {@code 1m30s}, {@code 2h}. Units: ns, us (or µs), ms, s, m, h; a bare {@code 0} is zero. Negative
 * durations are refused.
 */
public record GoDuration(Duration duration) {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  public GoDuration {
    if (duration == null || duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative");
    }
  }

  public static GoDuration of(Duration d) {
    return new GoDuration(d);
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming what is wrong, e.g. {@code "10 s"} or {@code "ten"}
   */
  @JsonCreator
  public static GoDuration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("must be a duration such as 10s, 500ms or 1m30s");
    }
    if (text.equals("0")) {
      return new GoDuration(Duration.ZERO);
    }
    Matcher m = PART.matcher(text);
    int at = 0;
    long nanos = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not a duration such as 10s, 500ms or 1m30s");
      }
      BigDecimal amount = new BigDecimal(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      // Exact: 16.973s is 16973000000ns (a double gives 16972999999); below 1ns is cut.
      BigDecimal part = amount.multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.DOWN);
      if (part.compareTo(BigDecimal.valueOf(Long.MAX_VALUE - nanos)) > 0) {
        throw new IllegalArgumentException("\"" + text + "\" is too long a duration");
      }
      nanos += part.longValueExact();
      at = m.end();
    }
    return new GoDuration(Duration.ofNanos(nanos));
  }

  /** The shortest exact form: {@code 10s}, {@code 1m30s}, {@code 250ms}. */
  @JsonValue
  @Override
  public String toString() {
    return format(duration);
  }

  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    long nanos = d.toNanos();
    StringBuilder sb = new StringBuilder();
    long h = nanos / 3_600_000_000_000L;
    nanos %= 3_600_000_000_000L;
    long m = nanos / 60_000_000_000L;
    nanos %= 60_000_000_000L;
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (nanos > 0) {
      if (nanos % 1_000_000_000L == 0) {
        sb.append(nanos / 1_000_000_000L).append('s');
      } else if (h == 0 && m == 0 && nanos < 1_000_000_000L) {
        if (nanos % 1_000_000L == 0) {
          sb.append(nanos / 1_000_000L).append("ms");
        } else if (nanos % 1_000L == 0) {
          sb.append(nanos / 1_000L).append("us");
        } else {
          sb.append(nanos).append("ns");
        }
      } else {
        sb.append(BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString()).append('s');
      }
    }
    return sb.toString();
  }
}
