package io.meridian.cli;

import io.meridian.registry.RegistryConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meridian server}: the registry alone, with production defaults.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "server",
    sortOptions = false,
    description = {
      "Run the registry: API, embedded store, allocators and controllers.",
      "",
      "Prints 'meridian: registry listening on http://HOST:PORT' as its first line once it"
          + " serves (with --port 0, the port it picked); stops cleanly on SIGINT or SIGTERM."
    },
    footer = {
      "",
      "Examples:",
      "  meridian server --data-dir /var/lib/meridian --host 0.0.0.0",
      "  meridian server --port 0 --lb-pool 192.168.10.0/24"
    })
final class ServerCommand implements Callable<Integer> {

  @Mixin ListenOptions listen;

  @Option(
      names = "--service-cidr",
      paramLabel = "CIDR",
      defaultValue = "10.96.0.0/16",
      description = "ClusterIPs are allocated from here (default: ${DEFAULT-VALUE}).")
  String serviceCidr;

  @Option(
      names = "--node-port-range",
      paramLabel = "MIN-MAX",
      defaultValue = "30000-32767",
      converter = PortRange.Converter.class,
      description = "NodePorts are allocated from here (default: ${DEFAULT-VALUE}).")
  PortRange nodePorts;

  @Option(
      names = "--lb-pool",
      paramLabel = "CIDR|A-B",
      defaultValue = "",
      description =
          "LoadBalancer ingress IPs come from here, e.g. 127.97.0.0/24 or 10.0.0.10-10.0.0.20"
              + " (default: none, LoadBalancer services stay pending).")
  String lbPool;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    RegistryConfig config =
        RegistryConfig.builder(listen.dataDir.toAbsolutePath().normalize())
            .host(listen.host)
            .port(listen.port)
            .serviceCidr(serviceCidr)
            .nodePortRange(nodePorts.min(), nodePorts.max())
            .lbPool(lbPool)
            .build();
    return new Foreground(spec.commandLine().getOut(), spec.commandLine().getErr())
        .run(List.of(new RegistryComponent(config)), () -> {});
  }
}
