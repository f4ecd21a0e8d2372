package io.meridian.cli;

import io.meridian.dns.DnsConfig;
import io.meridian.proxy.DataPlaneConfig;
import io.meridian.proxy.ProxyServer;
import io.meridian.proxy.ProxySettings;
import io.meridian.registry.RegistryConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meridian dev}: everything in one process for a laptop, without root. ClusterIPs come from
 * 127.96.0.0/16 and LoadBalancer IPs from 127.97.0.0/24, loopback ranges, so they answer locally.
 * Each part is one {@link Component} in {@link #components}.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "dev",
    sortOptions = false,
    description = {
      "Run everything in one process for development (no root), until Ctrl-C.",
      "",
      "ClusterIPs come from "
          + DevCommand.SERVICE_CIDR
          + " and LoadBalancer IPs from "
          + DevCommand.LB_POOL
          + " (loopback ranges, no root needed). Data is kept in --data-dir,"
          + " relative to the current directory."
    },
    footer = {
      "",
      "Examples:",
      "  meridian dev",
      "  meridian dev --port 7171 --data-dir /tmp/meridian",
      "  meridian dev --dns-port 0    (then: dig @127.0.0.1 -p PORT web.default.svc.cluster.local)"
    })
final class DevCommand implements Callable<Integer> {

  static final String SERVICE_CIDR = "127.96.0.0/16";
  static final String LB_POOL = "127.97.0.0/24";

  @Mixin ListenOptions listen;

  @Option(
      names = "--dns-port",
      paramLabel = "PORT",
      defaultValue = "8053",
      description =
          "DNS (UDP and TCP) port on the same --host; 0 picks a free one, -1 turns DNS off"
              + " (default: ${DEFAULT-VALUE}).")
  int dnsPort;

  @Mixin DnsCommand.DnsOptions dns;

  @Option(
      names = "--no-proxy",
      description =
          "Do not run the agent and edge data planes (ClusterIPs, NodePorts and LoadBalancer IPs"
              + " then do not answer).")
  boolean noProxy;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      defaultValue = "7071",
      description =
          "The proxies' admin port on the same --host (/metrics, /readyz, /dump); 0 picks a free"
              + " one, -1 none (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    List<Component> components = components();
    return new Foreground(out, spec.commandLine().getErr())
        .run(
            components,
            () -> {
              for (Component c : components) {
                out.println(
                    "meridian dev: "
                        + c.name()
                        + " "
                        + c.address()
                        + (c instanceof RegistryComponent
                            ? "  (data " + listen.dataDir + ")"
                            : ""));
              }
              out.println(
                  "meridian dev: try 'meridian register web 127.0.0.1:8080' and 'meridian get"
                      + " endpoints web'"
                      + (dnsPort < 0
                          ? ""
                          : ", then 'dig @127.0.0.1 -p "
                              + ((DnsComponent) components.get(1)).port()
                              + " web.default.svc."
                              + dns.domain
                              + "'")
                      + "; Ctrl-C stops");
            });
  }

  /** The parts of the dev process, in start order (agent, edge, DNS and console join here). */
  private List<Component> components() {
    RegistryConfig registry =
        RegistryConfig.builder(listen.dataDir.toAbsolutePath().normalize())
            .host(listen.host)
            .port(listen.port)
            .serviceCidr(SERVICE_CIDR)
            .lbPool(LB_POOL)
            .build();
    RegistryComponent reg = new RegistryComponent(registry);
    List<Component> out = new ArrayList<>();
    out.add(reg);
    if (dnsPort >= 0) {
      DnsConfig dnsConfig = dns.config(listen.host, dnsPort, spec.commandLine());
      out.add(new DnsComponent(() -> URI.create(reg.address()), dnsConfig, "--dns-port"));
    }
    if (!noProxy) {
      // The node is this host, on loopback: NodePorts answer on 127.0.0.1, ClusterIPs and
      // LoadBalancer IPs on their loopback ranges. Instances registered without a node count as
      // on it.
      List<DataPlaneConfig> planes =
          List.of(
              new DataPlaneConfig(
                  DataPlaneConfig.Role.AGENT, "", List.of("127.0.0.1"), List.of(), true),
              new DataPlaneConfig(DataPlaneConfig.Role.EDGE, "", List.of(), List.of(), false));
      out.add(
          new ProxyComponent(
              "proxy",
              () -> URI.create(reg.address()),
              r ->
                  new ProxyServer.Options(
                      r, planes, ProxySettings.DEFAULTS, 2, false, listen.host, adminPort)));
    }
    return out;
  }
}
