package io.meridian.proxy;

import io.meridian.client.ServiceKey;

/**
 * {@code --upstream default/web:http=127.0.0.1:15001}: serve service {@code default/web}'s port
 * {@code http} on a local address, for hosts where ClusterIPs cannot be bound (Consul Connect's
 * upstreams).
 *
 * @param service the service
 * @param port its port's name or number, or "" for its only port
 * @param address the local IP literal to bind
 * @param localPort the local port
 */
public record SidecarUpstream(ServiceKey service, String port, String address, int localPort) {

  /**
   * Parses {@code [ns/]service[:port]=address:localPort} (an IPv6 address in brackets).
   *
   * @throws IllegalArgumentException saying what is wrong and showing the form
   */
  public static SidecarUpstream parse(String text) {
    String form =
        "expected [NAMESPACE/]SERVICE[:PORT]=ADDRESS:PORT, e.g. default/web:http=127.0.0.1:15001";
    int eq = text.indexOf('=');
    if (eq <= 0 || eq == text.length() - 1) {
      throw new IllegalArgumentException("bad upstream '" + text + "': " + form);
    }
    String left = text.substring(0, eq);
    String right = text.substring(eq + 1);
    int slash = left.indexOf('/');
    String ns = slash < 0 ? "default" : left.substring(0, slash);
    String rest = slash < 0 ? left : left.substring(slash + 1);
    int colon = rest.indexOf(':');
    String name = colon < 0 ? rest : rest.substring(0, colon);
    String port = colon < 0 ? "" : rest.substring(colon + 1);
    if (ns.isEmpty() || name.isEmpty() || (colon >= 0 && port.isEmpty())) {
      throw new IllegalArgumentException("bad upstream '" + text + "': " + form);
    }
    int lastColon = right.lastIndexOf(':');
    if (lastColon <= 0) {
      throw new IllegalArgumentException("bad upstream '" + text + "': " + form);
    }
    String address = right.substring(0, lastColon);
    if (address.startsWith("[") && address.endsWith("]")) {
      address = address.substring(1, address.length() - 1);
    } else if (address.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          "bad upstream '" + text + "': write an IPv6 address in brackets, [" + address + "]:PORT");
    }
    if (!(address.indexOf(':') >= 0 || address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"))) {
      throw new IllegalArgumentException(
          "bad upstream '"
              + text
              + "': the local address must be an IP literal, got '"
              + address
              + "'");
    }
    int localPort;
    try {
      localPort = Integer.parseInt(right.substring(lastColon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad upstream '" + text + "': " + form);
    }
    if (localPort < 1 || localPort > 65535) {
      throw new IllegalArgumentException(
          "bad upstream '" + text + "': the local port must be 1..65535, got " + localPort);
    }
    return new SidecarUpstream(ServiceKey.of(ns, name), port, address, localPort);
  }
}
