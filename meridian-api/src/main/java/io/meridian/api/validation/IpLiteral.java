package io.meridian.api.validation;

/**
 * A strict parser for IP address literals, with no name resolution ({@code InetAddress.getByName}
 * would look a hostname up in DNS): IPv4 dotted quads (RFC 791 as Go's {@code net.ParseIP} reads
 * them, so no leading zeros, which some libraries read as octal), and IPv6 text (RFC 4291 §2.2:
 * eight groups of 1–4 hex digits, one {@code ::} for a run of zero groups, an optional trailing
 * dotted quad). Zones ({@code fe80::1%eth0}) are refused, as Kubernetes refuses them.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class IpLiteral {

  private IpLiteral() {}

  /** The address's 4 or 16 bytes, or null when {@code s} is not an IP literal. */
  static byte[] parse(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    return s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s);
  }

  static boolean isIp(String s) {
    return parse(s) != null;
  }

  /** {@code 0.0.0.0} or {@code ::}: "any address", never the address of one host. */
  static boolean isUnspecified(byte[] address) {
    for (byte b : address) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** {@code address/prefix}, e.g. {@code 10.0.0.0/8} or {@code fd00::/64}. */
  static boolean isCidr(String s) {
    int slash = s == null ? -1 : s.indexOf('/');
    if (slash < 0) {
      return false;
    }
    byte[] address = parse(s.substring(0, slash));
    String bits = s.substring(slash + 1);
    if (address == null
        || bits.isEmpty()
        || bits.length() > 3
        || (bits.length() > 1 && bits.charAt(0) == '0')) {
      return false;
    }
    int n = 0;
    for (int i = 0; i < bits.length(); i++) {
      char c = bits.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      n = n * 10 + (c - '0');
    }
    return n <= address.length * 8;
  }

  static byte[] parseV4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int i = 0;
    while (true) {
      int start = i;
      int value = 0;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          return null;
        }
      }
      int digits = i - start;
      if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
        return null;
      }
      out[part++] = (byte) value;
      if (part == 4) {
        return i == s.length() ? out : null;
      }
      if (i >= s.length() || s.charAt(i) != '.') {
        return null;
      }
      i++;
    }
  }

  static byte[] parseV6(String s) {
    if (s.indexOf('%') >= 0) {
      return null;
    }
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    String head = gap >= 0 ? s.substring(0, gap) : s;
    String tail = gap >= 0 ? s.substring(gap + 2) : "";
    int[] headGroups = groups(head, gap < 0);
    int[] tailGroups = groups(tail, true);
    if (headGroups == null || tailGroups == null) {
      return null;
    }
    int count = headGroups.length + tailGroups.length;
    if (gap < 0 ? count != 8 : count > 7) {
      return null;
    }
    byte[] out = new byte[16];
    for (int g = 0; g < headGroups.length; g++) {
      out[2 * g] = (byte) (headGroups[g] >>> 8);
      out[2 * g + 1] = (byte) headGroups[g];
    }
    int offset = 8 - tailGroups.length;
    for (int g = 0; g < tailGroups.length; g++) {
      out[2 * (offset + g)] = (byte) (tailGroups[g] >>> 8);
      out[2 * (offset + g) + 1] = (byte) tailGroups[g];
    }
    return out;
  }

  /**
   * The 16-bit groups of {@code part} ("" has none); a dotted quad may end it and counts as two.
   */
  private static int[] groups(String part, boolean quadAllowed) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] pieces = part.split(":", -1);
    int n = pieces.length;
    String last = pieces[n - 1];
    boolean quad = last.indexOf('.') >= 0;
    if (quad && !quadAllowed) {
      return null;
    }
    int[] out = new int[quad ? n + 1 : n];
    for (int i = 0; i < (quad ? n - 1 : n); i++) {
      String p = pieces[i];
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int v = 0;
      for (int k = 0; k < p.length(); k++) {
        int d = hexDigit(p.charAt(k));
        if (d < 0) {
          return null;
        }
        v = v * 16 + d;
      }
      out[i] = v;
    }
    if (quad) {
      byte[] v4 = parseV4(last);
      if (v4 == null) {
        return null;
      }
      out[n - 1] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
      out[n] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
    }
    return out;
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
