package io.meridian.cli;

/** IPv4 CIDR membership for test assertions. */
final class Cidrs {

  private Cidrs() {}

  static boolean contains(String cidr, String ip) {
    String[] parts = cidr.split("/");
    int bits = Integer.parseInt(parts[1]);
    long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    return (toLong(parts[0]) & mask) == (toLong(ip) & mask);
  }

  private static long toLong(String ip) {
    String[] o = ip.split("\\.");
    if (o.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + ip);
    }
    long v = 0;
    for (String part : o) {
      v = (v << 8) | Integer.parseInt(part);
    }
    return v;
  }
}
