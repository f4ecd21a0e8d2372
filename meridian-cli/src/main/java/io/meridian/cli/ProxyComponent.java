package io.meridian.cli;

import io.meridian.proxy.DataPlane;
import io.meridian.proxy.DataPlaneConfig;
import io.meridian.proxy.ProxyServer;
import io.meridian.proxy.SidecarUpstream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The userspace data plane ({@code agent}, {@code edge}, or both in {@code dev}) as a {@link
 * Component}, following the registry whose address {@code registry} gives when it starts.
 *
 * <p>Thread-safety: {@code server} is written by {@link #start} and read by {@link #close}, in that
 * order; volatile because close may run on the shutdown hook.
 */
final class ProxyComponent implements Component {

  private final String name;
  private final Supplier<URI> registry;
  private final java.util.function.Function<URI, ProxyServer.Options> options;
  private volatile ProxyServer server;

  ProxyComponent(
      String name,
      Supplier<URI> registry,
      java.util.function.Function<URI, ProxyServer.Options> options) {
    this.name = name;
    this.registry = registry;
    this.options = options;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String bindAddress() {
    return "its admin port";
  }

  @Override
  public String portFlag() {
    return "--admin-port";
  }

  @Override
  public CompletableFuture<Void> start() {
    server = new ProxyServer(options.apply(registry.get()));
    return server.start().thenApply(s -> null);
  }

  @Override
  public String address() {
    StringBuilder sb = new StringBuilder();
    java.net.InetSocketAddress admin = server.adminAddress();
    if (admin != null) {
      sb.append("admin http://")
          .append(HostPort.format(admin.getAddress().getHostAddress(), admin.getPort()));
    }
    for (DataPlane p : server.planes()) {
      DataPlaneConfig c = p.config();
      if (sb.length() > 0) {
        sb.append("; ");
      }
      if (c.role() == DataPlaneConfig.Role.EDGE) {
        sb.append("edge: LoadBalancer ingress IPs");
        continue;
      }
      sb.append("agent: ");
      List<String> parts = new ArrayList<>();
      if (c.clusterIps()) {
        parts.add("ClusterIPs");
      }
      if (!c.nodeAddresses().isEmpty()) {
        parts.add("NodePorts on " + String.join(",", c.nodeAddresses()));
      }
      for (SidecarUpstream u : c.upstreams()) {
        parts.add(
            u.service()
                + (u.port().isEmpty() ? "" : ":" + u.port())
                + " on "
                + HostPort.format(u.address(), u.localPort()));
      }
      sb.append(parts.isEmpty() ? "nothing" : String.join(", ", parts));
    }
    return sb.toString();
  }

  ProxyServer server() {
    return server;
  }

  @Override
  public void close() {
    ProxyServer s = server;
    if (s != null) {
      s.close();
    }
  }
}
