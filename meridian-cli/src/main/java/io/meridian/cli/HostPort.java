package io.meridian.cli;

import java.util.Locale;
import picocli.CommandLine;

/**
 * {@code HOST:PORT} as {@code register} takes it: {@code 127.0.0.1:9001}, {@code [::1]:9001},
 * {@code localhost:9001}. Immutable.
 */
record HostPort(String host, int port) {

  HostPort {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("missing host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
  }

  static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT such as 127.0.0.1:9001");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException(
          "write an IPv6 address in brackets: [" + host + "]:" + text.substring(colon + 1));
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + text.substring(colon + 1) + "' in '" + text + "' is not a port number");
    }
    return new HostPort(host, port);
  }

  /**
   * The instance name {@code register} gives: {@code SERVICE-HOST-PORT} with every character a DNS
   * label cannot hold turned into a dash ({@code web-127-0-0-1-9001}).
   */
  String instanceName(String service) {
    String raw = (service + "-" + host + "-" + port).toLowerCase(Locale.ROOT);
    String name =
        raw.replaceAll("[^a-z0-9-]", "-").replaceAll("-{2,}", "-").replaceAll("^-|-$", "");
    return name.length() > 253 ? name.substring(0, 253).replaceAll("-$", "") : name;
  }

  @Override
  public String toString() {
    return format(host, port);
  }

  /** {@code host:port}, an IPv6 address in brackets; any port, 0 included (a bind address). */
  static String format(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  static final class Converter implements CommandLine.ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
