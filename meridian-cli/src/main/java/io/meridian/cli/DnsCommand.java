package io.meridian.cli;

import io.meridian.api.GoDuration;
import io.meridian.dns.DnsConfig;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meridian dns}: the DNS server alone, following a registry.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "dns",
    sortOptions = false,
    description = {
      "Serve the registry's services over DNS (UDP and TCP), with Kubernetes DNS names:",
      "  <svc>.<ns>.svc.<domain>                  A/AAAA: the ClusterIP, or a headless service's"
          + " ready endpoints",
      "  <host>.<svc>.<ns>.svc.<domain>           A/AAAA: one endpoint of a headless service",
      "  _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV: a named port",
      "  reversed address .in-addr.arpa / .ip6.arpa PTR",
      "Names outside the domain are REFUSED (no open recursion) unless --upstream names a"
          + " resolver to forward them to. Prints 'meridian: dns listening on HOST:PORT' once it"
          + " serves."
    },
    footer = {
      "",
      "Examples:",
      "  meridian dns --registry http://10.0.0.5:7070 --host 0.0.0.0 --port 53",
      "  dig @127.0.0.1 -p 8053 web.default.svc.cluster.local"
    })
final class DnsCommand implements Callable<Integer> {

  @Mixin DnsOptions dns;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      converter = ClientOptions.RegistryUrlConverter.class,
      defaultValue = "${env:MERIDIAN_REGISTRY:-" + ClientOptions.DEFAULT_REGISTRY + "}",
      description =
          "Registry API URL (default: $MERIDIAN_REGISTRY, else "
              + ClientOptions.DEFAULT_REGISTRY
              + ").")
  java.net.URI registry;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8053",
      description = "UDP and TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    DnsConfig config = dns.config(host, port, spec.commandLine());
    return new Foreground(spec.commandLine().getOut(), spec.commandLine().getErr())
        .run(List.of(new DnsComponent(() -> registry, config, "--port")), () -> {});
  }

  /** The answering options, shared by {@code dns} and {@code dev}. */
  static final class DnsOptions {

    @Option(
        names = "--domain",
        paramLabel = "DOMAIN",
        defaultValue = "cluster.local",
        description = "The cluster domain (default: ${DEFAULT-VALUE}).")
    String domain;

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        defaultValue = "5s",
        converter = DurationConverter.class,
        description = "TTL of answers and of negative caching (default: ${DEFAULT-VALUE}).")
    GoDuration ttl;

    @Option(
        names = "--max-answers",
        paramLabel = "N",
        defaultValue = "0",
        description =
            "At most N records per answer, sampled by instance weight; 0 for all (default).")
    int maxAnswers;

    @Option(
        names = "--rate-limit",
        paramLabel = "N",
        defaultValue = "0",
        description =
            "UDP responses per second per client /24 (IPv6 /56); over it, every second answer is"
                + " TC (retry over TCP) and the rest dropped. 0 is off (default).")
    int rateLimit;

    @Option(
        names = "--upstream",
        paramLabel = "HOST:PORT",
        description =
            "Forward queries for names outside the domain to this resolver (an IP address, e.g."
                + " 10.0.0.2:53) instead of refusing them (default: refuse).")
    String upstream;

    DnsConfig config(String host, int port, CommandLine commandLine) {
      try {
        DnsConfig c =
            DnsConfig.of(host, port)
                .withDomain(domain)
                .withTtl(ttl.duration())
                .withMaxAnswers(maxAnswers)
                .withRateLimit(rateLimit);
        if (upstream != null) {
          HostPort hp = HostPort.parse(upstream);
          if (!hp.host().matches("[0-9.]+") && !hp.host().contains(":")) {
            throw new IllegalArgumentException(
                "--upstream must be an IP address and port, such as 10.0.0.2:53, got '"
                    + upstream
                    + "'");
          }
          c = c.withUpstream(new InetSocketAddress(hp.host(), hp.port()));
        }
        return c;
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(commandLine, e.getMessage(), e);
      }
    }
  }
}
