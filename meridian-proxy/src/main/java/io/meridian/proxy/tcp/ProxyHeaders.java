package io.meridian.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * PROXY protocol headers (HAProxy's spec, versions 1 and 2) that tell an endpoint the client's
 * address ahead of the relayed bytes, and the client a received header names. Only the PROXY
 * command over TCP is written; an IPv4 and IPv6 pair is written as IPv6 with the IPv4 address
 * mapped.
 *
 * <p>Thread-safety: stateless.
 */
public final class ProxyHeaders {

  /** The 12-byte signature that starts a version 2 header. */
  static final byte[] V2_SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  private ProxyHeaders() {}

  /**
   * The client a received PROXY header names, or null when it names none (a LOCAL or UNKNOWN
   * header, sent by a balancer's own health checks). Never a DNS lookup: the address is a literal.
   */
  public static InetSocketAddress source(HAProxyMessage m) {
    String text = m.sourceAddress();
    InetAddress a = text == null ? null : NetUtil.createInetAddressFromIpAddressString(text);
    return a == null ? null : new InetSocketAddress(a, m.sourcePort());
  }

  /** A header of {@code version} (1 or 2) for a connection from {@code source} to {@code dest}. */
  public static ByteBuf header(int version, InetSocketAddress source, InetSocketAddress dest) {
    return version == 1 ? v1(source, dest) : v2(source, dest);
  }

  static ByteBuf v1(InetSocketAddress source, InetSocketAddress dest) {
    InetAddress s = source.getAddress();
    InetAddress d = dest.getAddress();
    boolean v4 = s instanceof Inet4Address && d instanceof Inet4Address;
    String line =
        "PROXY "
            + (v4 ? "TCP4 " : "TCP6 ")
            + text(s, v4)
            + " "
            + text(d, v4)
            + " "
            + source.getPort()
            + " "
            + dest.getPort()
            + "\r\n";
    return Unpooled.wrappedBuffer(line.getBytes(StandardCharsets.US_ASCII));
  }

  static ByteBuf v2(InetSocketAddress source, InetSocketAddress dest) {
    InetAddress s = source.getAddress();
    InetAddress d = dest.getAddress();
    boolean v4 = s instanceof Inet4Address && d instanceof Inet4Address;
    int addrLen = v4 ? 12 : 36;
    ByteBuf b = Unpooled.buffer(16 + addrLen);
    b.writeBytes(V2_SIGNATURE);
    b.writeByte(0x21); // version 2, PROXY
    b.writeByte(v4 ? 0x11 : 0x21); // AF_INET or AF_INET6, STREAM
    b.writeShort(addrLen);
    b.writeBytes(bytes(s, v4));
    b.writeBytes(bytes(d, v4));
    b.writeShort(source.getPort());
    b.writeShort(dest.getPort());
    return b;
  }

  private static String text(InetAddress a, boolean v4) {
    if (v4) {
      return a.getHostAddress();
    }
    byte[] b = bytes(a, false);
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 16; i += 2) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)));
    }
    return sb.toString();
  }

  private static byte[] bytes(InetAddress a, boolean v4) {
    byte[] raw = a.getAddress();
    if (v4 || raw.length == 16) {
      return raw;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(raw, 0, mapped, 12, 4);
    return mapped;
  }
}
