package io.meridian.dns;

import io.meridian.api.Conditions;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.InstanceStatus;
import io.meridian.api.IntOrString;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.client.ClusterSnapshot;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;

/**
 * A real registry in this JVM (port 0, service CIDR 127.96.0.0/16, no fsync) and a {@link
 * MeridianDns} following it on 127.0.0.1 port 0, for the integration tests; plus the model objects
 * they write and a dnsjava client aimed at the server.
 *
 * <p>Thread-safety: {@link #start} and {@link #close} once each, from the test thread; writes and
 * queries from any thread.
 */
final class ClusterFixture implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(20);
  static final String NS = "default";

  private final RegistryServer registry;
  private final MeridianDns dns;

  private ClusterFixture(RegistryServer registry, MeridianDns dns) {
    this.registry = registry;
    this.dns = dns;
  }

  /** Starts both; closes what it started when either fails. */
  static ClusterFixture start(Path dataDir, DnsConfig config) throws Exception {
    RegistryServer registry =
        RegistryServer.create(
            RegistryConfig.builder(dataDir)
                .port(0)
                .fsync(false)
                .serviceCidr("127.96.0.0/16")
                .build());
    try {
      registry.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      MeridianDns dns =
          onFreePort(() -> new MeridianDns(registry.uri(), config), MeridianDns::start);
      return new ClusterFixture(registry, dns);
    } catch (Exception | Error e) {
      registry.close();
      throw e;
    }
  }

  /** A started {@link DnsServer} answering from {@code snapshot} (null: an empty zone). */
  static DnsServer startServer(DnsConfig config, ClusterSnapshot snapshot) throws Exception {
    return onFreePort(
        () -> {
          DnsServer s = new DnsServer(config);
          if (snapshot != null) {
            s.update(snapshot);
          }
          return s;
        },
        DnsServer::start);
  }

  /** Creates and starts a server (on port 0: the server itself retries a port race). */
  private static <T extends AutoCloseable> T onFreePort(
      Callable<T> create, Function<T, CompletableFuture<?>> start) throws Exception {
    T server = create.call();
    try {
      start.apply(server).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return server;
    } catch (Exception e) {
      server.close();
      throw e;
    }
  }

  /** The snapshot the server last got from the registry. */
  ClusterSnapshot snapshot() {
    return dns.watch().current();
  }

  DnsServer server() {
    return dns.server();
  }

  int port() {
    return dns.server().udpAddress().getPort();
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port());
  }

  /** Creates or replaces {@code resource}; returns once the registry acknowledged the write. */
  void write(Resource resource) throws Exception {
    writeAsync(resource).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  CompletableFuture<?> writeAsync(Resource resource) {
    return registry.resources().write(resource, false);
  }

  /** Deletes an object at once (no grace period); returns once acknowledged. */
  void delete(Kind kind, String name) throws Exception {
    registry.resources().delete(kind, NS, name, 0, null).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** A dnsjava query over UDP (TCP when {@code tcp}), falling back to TCP on TC as dnsjava does. */
  Message query(String name, int type, boolean tcp) throws IOException {
    SimpleResolver r = new SimpleResolver(address());
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(2));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  Message query(String name, int type) throws IOException {
    return query(name, type, false);
  }

  @Override
  public void close() {
    try {
      dns.close();
    } finally {
      registry.close();
    }
  }

  // ---- the model objects the tests write ----------------------------------------------------

  /** A ClusterIP service selecting {@code app=<app>} at the given ClusterIP (null: allocated). */
  static Service clusterIp(String name, String clusterIP, ServicePort... ports) {
    ServiceSpec spec = ServiceSpec.of(ServiceType.ClusterIP, Map.of("app", name), List.of(ports));
    return new Service(
        ObjectMeta.of(NS, name), clusterIP == null ? spec : spec.withClusterIP(clusterIP));
  }

  /** A headless service ({@code clusterIP: None}) selecting {@code app=<name>}. */
  static Service headless(String name, ServicePort... ports) {
    return new Service(
        ObjectMeta.of(NS, name),
        ServiceSpec.of(ServiceType.ClusterIP, Map.of("app", name), List.of(ports))
            .withClusterIP(ServiceSpec.HEADLESS));
  }

  /** An ExternalName service answering with a CNAME to {@code target}. */
  static Service externalName(String name, String target) {
    return new Service(
        ObjectMeta.of(NS, name),
        new ServiceSpec(
            ServiceType.ExternalName,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            target,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null));
  }

  /** A TCP service port {@code name} on {@code port}, targeting the instance port {@code name}. */
  static ServicePort port(String name, int port) {
    return new ServicePort(name, ServicePort.Protocol.TCP, port, IntOrString.of(name), null, null);
  }

  /** A ready instance of service {@code app} at {@code address}. */
  static Instance instance(String name, String app, String address, Map<String, Integer> ports) {
    return instance(name, app, address, null, ports);
  }

  /** A ready instance with a DNS hostname (null: none). */
  static Instance instance(
      String name, String app, String address, String hostname, Map<String, Integer> ports) {
    return new Instance(
        ObjectMeta.of(NS, name, Map.of("app", app)),
        new InstanceSpec(address, ports, null, null, hostname, null, null, null));
  }

  /** The same instance, not ready. */
  static Instance notReady(Instance instance) {
    return instance.withStatus(new InstanceStatus(Conditions.NOT_READY, "test", null));
  }
}
