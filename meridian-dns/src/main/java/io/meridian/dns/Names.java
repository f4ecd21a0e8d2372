package io.meridian.dns;

import io.netty.util.NetUtil;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Domain names in wire form (RFC 1035 §3.1: length-prefixed labels, ending with the root's zero
 * byte), lower-cased, which is how the zone keys them: DNS compares names case-insensitively in
 * ASCII (RFC 4343), so folding once at build time and once per query makes every lookup a byte
 * comparison.
 *
 * <p>Thread-safety: stateless.
 */
final class Names {

  /** RFC 1035 §2.3.4. */
  static final int MAX_NAME = 255;

  static final int MAX_LABEL = 63;

  private Names() {}

  /**
   * {@code text} ({@code web.default.svc.cluster.local}, a trailing dot optional) in lower-case
   * wire form.
   *
   * @throws IllegalArgumentException for an empty label, a label over 63 bytes or a name over 255
   */
  static byte[] wire(String text) {
    String t = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    ByteArrayOutputStream out = new ByteArrayOutputStream(t.length() + 2);
    if (!t.isEmpty()) {
      for (String label : t.toLowerCase(Locale.ROOT).split("\\.", -1)) {
        byte[] b = label.getBytes(StandardCharsets.US_ASCII);
        if (b.length == 0 || b.length > MAX_LABEL) {
          throw new IllegalArgumentException(
              "bad label \"" + label + "\" in \"" + text + "\": 1..63 bytes");
        }
        out.write(b.length);
        out.writeBytes(b);
      }
    }
    out.write(0);
    byte[] w = out.toByteArray();
    if (w.length > MAX_NAME) {
      throw new IllegalArgumentException("name \"" + text + "\" is longer than 255 bytes");
    }
    return w;
  }

  /** The wire name {@code label} followed by {@code suffix} (already wire). */
  static byte[] prepend(String label, byte[] suffix) {
    byte[] l = label.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    if (l.length == 0 || l.length > MAX_LABEL || l.length + 1 + suffix.length > MAX_NAME) {
      throw new IllegalArgumentException("label \"" + label + "\" does not fit a name");
    }
    byte[] w = new byte[1 + l.length + suffix.length];
    w[0] = (byte) l.length;
    System.arraycopy(l, 0, w, 1, l.length);
    System.arraycopy(suffix, 0, w, 1 + l.length, suffix.length);
    return w;
  }

  /** Whether wire name {@code name} is {@code zone} or below it. */
  static boolean within(byte[] name, int nameLen, byte[] zone) {
    int off = nameLen - zone.length;
    if (off < 0) {
      return false;
    }
    for (int i = 0; i < zone.length; i++) {
      if (name[off + i] != zone[i]) {
        return false;
      }
    }
    // the match must start at a label boundary
    int p = 0;
    while (p < off) {
      p += (name[p] & 0xff) + 1;
    }
    return p == off;
  }

  /** The offset of the first label of wire name {@code name} that starts {@code zone}, or -1. */
  static int suffixOffset(byte[] name, int nameLen, byte[] zone) {
    return within(name, nameLen, zone) ? nameLen - zone.length : -1;
  }

  /** The reverse-lookup name of {@code address}: {@code 4.3.2.1.in-addr.arpa} or nibbles. */
  static String reverse(InetAddress address) {
    byte[] a = address.getAddress();
    StringBuilder sb = new StringBuilder(72);
    if (address instanceof Inet4Address) {
      for (int i = 3; i >= 0; i--) {
        sb.append(a[i] & 0xff).append('.');
      }
      return sb.append("in-addr.arpa").toString();
    }
    if (address instanceof Inet6Address) {
      for (int i = 15; i >= 0; i--) {
        sb.append(Character.forDigit(a[i] & 0xf, 16)).append('.');
        sb.append(Character.forDigit((a[i] >> 4) & 0xf, 16)).append('.');
      }
      return sb.append("ip6.arpa").toString();
    }
    throw new IllegalArgumentException("not an IP address: " + address);
  }

  /** {@code 10-0-0-7} for 10.0.0.7, {@code fd00--1} for fd00::1: an address as one label. */
  static String dashed(InetAddress address) {
    // RFC 5952 text (fd00::1, no scope), as Kubernetes' EndpointSlices and CoreDNS have it
    return NetUtil.toAddressString(address).replace('.', '-').replace(':', '-');
  }

  /** Wire name to text with a trailing dot, for logs and tests. */
  static String text(byte[] wire) {
    StringBuilder sb = new StringBuilder();
    int p = 0;
    while (p < wire.length && wire[p] != 0) {
      int len = wire[p] & 0xff;
      sb.append(new String(wire, p + 1, len, StandardCharsets.US_ASCII)).append('.');
      p += len + 1;
    }
    return sb.isEmpty() ? "." : sb.toString();
  }

  /** A 32-bit hash of lower-case wire bytes (FNV-1a), the zone table's and the parser's. */
  static int hash(byte[] b, int len) {
    int h = 0x811c9dc5;
    for (int i = 0; i < len; i++) {
      h = (h ^ (b[i] & 0xff)) * 0x01000193;
    }
    return h;
  }
}
