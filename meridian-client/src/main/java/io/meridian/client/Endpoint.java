package io.meridian.client;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One backend of a service port as a caller reaches it: an address and the port the service port
 * maps to on that instance, with what balancing knows about it.
 *
 * @param address the instance's IP address (IPv4 or IPv6 literal)
 * @param port the instance's port for the balanced service port
 * @param instance the instance's name ("" for a manual endpoint)
 * @param zone its zone ("" when unknown)
 * @param weight its weight, 1..1000
 */
public record Endpoint(String address, int port, String instance, String zone, int weight) {

  public Endpoint {
    Objects.requireNonNull(address, "address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    instance = instance == null ? "" : instance;
    zone = zone == null ? "" : zone;
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1, got " + weight);
    }
  }

  /** {@code address:port}, with an IPv6 address in brackets: how URIs and logs spell it. */
  public String authority() {
    return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
  }

  /** The socket address, without a DNS lookup (the address is a literal). */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }

  @Override
  public String toString() {
    return authority() + (instance.isEmpty() ? "" : " (" + instance + ")");
  }
}
