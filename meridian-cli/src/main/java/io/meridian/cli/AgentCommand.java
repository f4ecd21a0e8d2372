package io.meridian.cli;

import io.meridian.proxy.DataPlaneConfig;
import io.meridian.proxy.ProxyServer;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.SidecarUpstream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meridian agent} and {@code meridian edge}: the userspace data plane, following a registry.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "agent",
    sortOptions = false,
    description = {
      "Serve every service on this host: ClusterIP:port for callers on the host, nodeIP:nodePort"
          + " for clients outside, balanced per connection (TCP), per flow (UDP) or per request"
          + " (appProtocol http, h2c, grpc) over the ready endpoints.",
      "Where ClusterIPs cannot be bound (no root), --no-cluster-ips with --upstream serves chosen"
          + " services on local ports instead (sidecar mode)."
    },
    footer = {
      "",
      "Examples:",
      "  meridian agent --registry http://10.0.0.5:7070 --node node-1 --node-address 10.0.1.7",
      "  meridian agent --no-cluster-ips --upstream default/web:http=127.0.0.1:15001"
    })
final class AgentCommand implements Callable<Integer> {

  @Mixin ProxyOptions proxy;

  @Option(
      names = "--node",
      paramLabel = "NAME",
      description = "This node's name, as instances give it in spec.node (default: the hostname).")
  String node;

  @Option(
      names = "--node-address",
      paramLabel = "ADDR",
      description = "An address NodePorts listen on (repeatable; default 0.0.0.0, every address).")
  List<String> nodeAddresses = new ArrayList<>();

  @Option(
      names = "--no-cluster-ips",
      description = "Do not listen on ClusterIPs (sidecar mode: only the --upstream ports).")
  boolean noClusterIps;

  @Option(
      names = "--upstream",
      paramLabel = "[NS/]SERVICE[:PORT]=ADDR:PORT",
      description =
          "Serve a service's port on a local address (repeatable), e.g."
              + " default/web:http=127.0.0.1:15001.")
  List<String> upstreams = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    List<SidecarUpstream> ups = parseUpstreams(upstreams, spec.commandLine());
    String nodeName = node != null ? node : hostname();
    List<String> addrs = nodeAddresses.isEmpty() ? List.of("0.0.0.0") : nodeAddresses;
    DataPlaneConfig c =
        new DataPlaneConfig(DataPlaneConfig.Role.AGENT, nodeName, addrs, ups, !noClusterIps);
    return proxy.run("agent", c, spec.commandLine());
  }

  static List<SidecarUpstream> parseUpstreams(List<String> texts, CommandLine cl) {
    List<SidecarUpstream> out = new ArrayList<>();
    for (String u : texts) {
      try {
        out.add(SidecarUpstream.parse(u));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cl, "--upstream: " + e.getMessage(), e);
      }
    }
    return out;
  }

  static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** {@code meridian edge}: the LoadBalancer services' ingress IPs. */
  @Command(
      name = "edge",
      sortOptions = false,
      description = {
        "Serve the ingress IPs the registry allocated to LoadBalancer services, balanced over"
            + " their ready endpoints (a centralized load balancer)."
      },
      footer = {"", "Examples:", "  meridian edge --registry http://10.0.0.5:7070"})
  static final class EdgeCommand implements Callable<Integer> {

    @Mixin ProxyOptions proxy;

    @Option(
        names = "--accept-proxy-protocol",
        description =
            "Clients send a PROXY protocol (v1 or v2) header first: this edge sits behind another"
                + " load balancer, and the header gives the real client address.")
    boolean acceptProxyProtocol;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      proxy.acceptProxyProtocol = acceptProxyProtocol;
      DataPlaneConfig c =
          new DataPlaneConfig(DataPlaneConfig.Role.EDGE, hostname(), List.of(), List.of(), false);
      return proxy.run("edge", c, spec.commandLine());
    }
  }

  /** What agent and edge share: the registry, threads, timeouts and limits. */
  static final class ProxyOptions {

    @Option(
        names = "--registry",
        paramLabel = "URL",
        converter = ClientOptions.RegistryUrlConverter.class,
        defaultValue = "${env:MERIDIAN_REGISTRY:-" + ClientOptions.DEFAULT_REGISTRY + "}",
        description =
            "Registry API URL (default: $MERIDIAN_REGISTRY, else "
                + ClientOptions.DEFAULT_REGISTRY
                + ").")
    URI registry;

    @Option(
        names = "--threads",
        paramLabel = "N",
        defaultValue = "0",
        description = "Event loop threads; 0 for one per CPU (default).")
    int threads;

    @Option(
        names = "--connect-timeout",
        paramLabel = "DURATION",
        defaultValue = "1s",
        converter = DurationConverter.class,
        description = "Time to connect to an endpoint before trying another (default: 1s).")
    io.meridian.api.GoDuration connectTimeout;

    @Option(
        names = "--request-timeout",
        paramLabel = "DURATION",
        defaultValue = "15s",
        converter = DurationConverter.class,
        description = "Time for a complete HTTP response before 504 (default: 15s).")
    io.meridian.api.GoDuration requestTimeout;

    @Option(
        names = "--max-connections",
        paramLabel = "N",
        defaultValue = "100000",
        description =
            "Open client connections beyond which new ones are refused (default: 100000).")
    int maxConnections;

    @Option(
        names = "--admin-port",
        paramLabel = "PORT",
        description =
            "Admin port on 127.0.0.1 (/metrics, /readyz, /dump); 0 picks a free one, -1 none"
                + " (default: 7071 for agent, 7072 for edge).")
    Integer adminPort;

    boolean acceptProxyProtocol;

    ProxyServer.Options options(URI registry, List<DataPlaneConfig> planes, int defaultAdmin) {
      ProxySettings s =
          ProxySettings.DEFAULTS
              .withRequestTimeout(requestTimeout.duration())
              .withMaxConnections(maxConnections)
              .withConnectTimeout(connectTimeout.duration());
      return new ProxyServer.Options(
          registry,
          planes,
          s,
          threads,
          acceptProxyProtocol,
          "127.0.0.1",
          adminPort == null ? defaultAdmin : adminPort);
    }

    int run(String name, DataPlaneConfig c, CommandLine cl) throws InterruptedException {
      int defaultAdmin = name.equals("edge") ? 7072 : 7071;
      ProxyComponent pc =
          new ProxyComponent(name, () -> registry, r -> options(r, List.of(c), defaultAdmin));
      return new Foreground(cl.getOut(), cl.getErr()).run(List.of(pc), () -> {});
    }
  }
}
