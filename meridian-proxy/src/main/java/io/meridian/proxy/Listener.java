package io.meridian.proxy;

import io.meridian.api.ServicePort;
import io.meridian.client.ServiceKey;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;

/**
 * One socket the data plane should listen on, and where its traffic goes: the pure output of {@link
 * ListenerRenderer}, compared by {@link #key()} when a new snapshot arrives (a listener whose key
 * stays is kept, with its connections).
 *
 * @param kind why it exists
 * @param address the IP literal to bind
 * @param port the port to bind
 * @param protocol TCP or UDP
 * @param appProtocol {@code tcp}, {@code udp}, {@code http}, {@code h2c}, {@code grpc} or {@code
 *     tls} (how to balance: per connection, per flow or per request); by default the protocol
 * @param service the service its traffic goes to
 * @param servicePort the service port's name ("" when unnamed)
 * @param localOnly only endpoints on this node ({@code externalTrafficPolicy: Local} for node ports
 *     and load balancers, {@code internalTrafficPolicy: Local} for ClusterIPs)
 * @param affinity how long a client IP sticks to its endpoint ({@code sessionAffinity: ClientIP}),
 *     or null
 */
public record Listener(
    Kind kind,
    String address,
    int port,
    ServicePort.Protocol protocol,
    String appProtocol,
    ServiceKey service,
    String servicePort,
    boolean localOnly,
    Duration affinity)
    implements Comparable<Listener> {

  /** Why a listener exists. */
  public enum Kind {
    /** A service's ClusterIP:port, on every node. */
    CLUSTER_IP,
    /** A node address and a service's nodePort. */
    NODE_PORT,
    /** A LoadBalancer service's ingress IP:port, on the edge. */
    LOAD_BALANCER,
    /** A local port standing for a service ({@code --upstream}), where ClusterIPs are unusable. */
    SIDECAR
  }

  private static final Comparator<Listener> ORDER =
      Comparator.comparing(Listener::kind)
          .thenComparing(Listener::address)
          .thenComparingInt(Listener::port)
          .thenComparing(Listener::protocol);

  public Listener {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(service, "service");
    if (appProtocol == null || appProtocol.isEmpty()) {
      appProtocol = protocol == ServicePort.Protocol.UDP ? "udp" : "tcp";
    }
    servicePort = servicePort == null ? "" : servicePort;
  }

  /** What identifies the socket: protocol, address and port ({@code TCP 10.96.0.10:80}). */
  public String key() {
    return protocol
        + " "
        + (address.indexOf(':') >= 0 ? "[" + address + "]" : address)
        + ":"
        + port;
  }

  @Override
  public int compareTo(Listener o) {
    return ORDER.compare(this, o);
  }

  /** One line for logs, the admin dump and golden files. */
  @Override
  public String toString() {
    return key()
        + " "
        + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
        + " -> "
        + service
        + (servicePort.isEmpty() ? "" : ":" + servicePort)
        + " "
        + appProtocol
        + (localOnly ? " local-only" : "")
        + (affinity == null ? "" : " affinity=" + affinity.toSeconds() + "s");
  }
}
