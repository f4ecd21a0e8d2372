package io.meridian.cli;

import io.meridian.dns.DnsConfig;
import io.meridian.dns.MeridianDns;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The DNS server as a {@link Component}, following the registry whose address {@code registry}
 * gives when it starts (in {@code dev}, the registry started just before it, perhaps on port 0).
 *
 * <p>Thread-safety: {@code dns} is written by {@link #start} and read by {@link #close}, called in
 * that order by {@link Foreground}; it is volatile because close may run on the shutdown hook.
 */
final class DnsComponent implements Component {

  private final Supplier<URI> registry;
  private final DnsConfig config;
  private final String portFlag;
  private volatile MeridianDns dns;

  DnsComponent(Supplier<URI> registry, DnsConfig config, String portFlag) {
    this.registry = registry;
    this.config = config;
    this.portFlag = portFlag;
  }

  @Override
  public String portFlag() {
    return portFlag;
  }

  @Override
  public String name() {
    return "dns";
  }

  @Override
  public String bindAddress() {
    return HostPort.format(config.host(), config.port());
  }

  @Override
  public CompletableFuture<Void> start() {
    dns = new MeridianDns(registry.get(), config);
    return dns.start().thenApply(d -> null);
  }

  @Override
  public String address() {
    InetSocketAddress a = dns.server().udpAddress();
    String host = a.getAddress().getHostAddress();
    return HostPort.format(host, a.getPort()) + " (udp+tcp, domain " + config.domain() + ")";
  }

  /** The port it listens on, after start. */
  int port() {
    return dns.server().udpAddress().getPort();
  }

  @Override
  public void close() {
    MeridianDns d = dns;
    if (d != null) {
      d.close();
    }
  }
}
