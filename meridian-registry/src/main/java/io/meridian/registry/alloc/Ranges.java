package io.meridian.registry.alloc;

/**
 * The ranges the registry allocates from: an IPv4 CIDR ({@code 10.96.0.0/16}), an IPv4 span ({@code
 * 127.97.0.10-127.97.0.20}), or a port span.
 *
 * <p>Thread-safety: every range is immutable.
 */
public final class Ranges {

  private Ranges() {}

  /**
   * Parses an IPv4 CIDR or {@code first-last} span. For a CIDR of /30 or wider the network and
   * broadcast addresses are left out, as Kubernetes does. An empty string is an empty range.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Allocator.Range ipv4(String spec) {
    String s = spec.trim();
    if (s.isEmpty()) {
      return new Ipv4(0, 0, "(none)");
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      long base = parseIpv4(s.substring(0, slash));
      int bits;
      try {
        bits = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("\"" + spec + "\": prefix length must be a number");
      }
      if (bits < 8 || bits > 32) {
        throw new IllegalArgumentException("\"" + spec + "\": prefix length must be 8..32");
      }
      long size = 1L << (32 - bits);
      long network = base & ~(size - 1) & 0xFFFFFFFFL;
      if (network != base) {
        throw new IllegalArgumentException(
            "\""
                + spec
                + "\" is not a network address (did you mean "
                + formatIpv4(network)
                + "/"
                + bits
                + "?)");
      }
      if (size >= 4) {
        return new Ipv4(network + 1, size - 2, s);
      }
      return new Ipv4(network, size, s);
    }
    int dash = s.indexOf('-');
    if (dash < 0) {
      long one = parseIpv4(s);
      return new Ipv4(one, 1, s);
    }
    long first = parseIpv4(s.substring(0, dash).trim());
    long last = parseIpv4(s.substring(dash + 1).trim());
    if (last < first) {
      throw new IllegalArgumentException("\"" + spec + "\": the last address is before the first");
    }
    return new Ipv4(first, last - first + 1, s);
  }

  /** Ports {@code min..max} inclusive. */
  public static Allocator.Range ports(int min, int max) {
    return new Ports(min, max);
  }

  /** Parses a dotted-quad IPv4 address strictly; -1 when {@code text} is not one. */
  public static long tryParseIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return -1;
    }
    long v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return -1;
      }
      if (p.length() > 1 && p.charAt(0) == '0') {
        return -1;
      }
      int n = Integer.parseInt(p);
      if (n > 255) {
        return -1;
      }
      v = (v << 8) | n;
    }
    return v;
  }

  static long parseIpv4(String text) {
    long v = tryParseIpv4(text);
    if (v < 0) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address");
    }
    return v;
  }

  public static String formatIpv4(long v) {
    return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
  }

  private record Ipv4(long first, long size, String describe) implements Allocator.Range {
    @Override
    public long offsetOf(String value) {
      long v = tryParseIpv4(value);
      if (v < first || v >= first + size) {
        return -1;
      }
      return v - first;
    }

    @Override
    public String valueAt(long offset) {
      return formatIpv4(first + offset);
    }
  }

  private record Ports(int min, int max) implements Allocator.Range {
    @Override
    public long size() {
      return max - min + 1L;
    }

    @Override
    public long offsetOf(String value) {
      int p;
      try {
        p = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        return -1;
      }
      return p < min || p > max ? -1 : p - min;
    }

    @Override
    public String valueAt(long offset) {
      return Integer.toString((int) (min + offset));
    }

    @Override
    public String describe() {
      return min + "-" + max;
    }
  }
}
