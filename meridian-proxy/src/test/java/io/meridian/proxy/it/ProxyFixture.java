package io.meridian.proxy.it;

import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.client.MeridianClient;
import io.meridian.client.ServiceKey;
import io.meridian.proxy.DataPlane;
import io.meridian.proxy.DataPlaneConfig;
import io.meridian.proxy.Listener;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Route;
import io.meridian.proxy.SidecarUpstream;
import io.meridian.proxy.Transport;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real registry in this JVM and two data planes following it: an agent (ClusterIPs from
 * 127.98.0.0/16, NodePorts on 127.0.0.2, so they never meet a {@code meridian dev} on the same
 * host) and an edge (LoadBalancer IPs from 127.99.0.0/24).
 *
 * <p>Thread-safety: built and closed by the test thread; the registry writes are safe from any.
 */
final class ProxyFixture implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(20);
  static final String NODE_ADDRESS = "127.0.0.2";
  static final String NS = "default";

  final RegistryServer registry;
  final MeridianClient client;
  final EventLoopGroup group;
  final DataPlane agent;
  final DataPlane edge;

  private ProxyFixture(
      RegistryServer registry,
      MeridianClient client,
      EventLoopGroup group,
      DataPlane agent,
      DataPlane edge) {
    this.registry = registry;
    this.client = client;
    this.group = group;
    this.agent = agent;
    this.edge = edge;
  }

  static ProxyFixture start(Path dir, ProxySettings settings, SidecarUpstream... upstreams)
      throws Exception {
    return start(dir, settings, Transport.best(), upstreams);
  }

  /** As {@link #start(Path, ProxySettings, SidecarUpstream...)} on the given transport. */
  static ProxyFixture start(
      Path dir, ProxySettings settings, Transport t, SidecarUpstream... upstreams)
      throws Exception {
    RegistryServer registry =
        RegistryServer.create(
            RegistryConfig.builder(dir)
                .port(0)
                .fsync(false)
                .serviceCidr("127.98.0.0/16")
                .lbPool("127.99.0.0/24")
                .build());
    registry.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    MeridianClient client = MeridianClient.connect(registry.uri());
    EventLoopGroup group = t.group(2);
    DataPlane agent =
        new DataPlane(
            client,
            new DataPlaneConfig(
                DataPlaneConfig.Role.AGENT,
                "node-a",
                List.of(NODE_ADDRESS),
                List.of(upstreams),
                true),
            settings,
            t,
            group,
            false);
    DataPlane edge =
        new DataPlane(
            client,
            new DataPlaneConfig(DataPlaneConfig.Role.EDGE, "edge", List.of(), List.of(), false),
            settings,
            t,
            group,
            false);
    agent.start();
    edge.start();
    return new ProxyFixture(registry, client, group, agent, edge);
  }

  void write(Resource r) throws Exception {
    registry.resources().write(r, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Deletes an instance, gracefully ({@code graceSeconds > 0}: terminating first) or at once. */
  void deleteInstance(String name, long graceSeconds) throws Exception {
    registry
        .resources()
        .delete(Kind.INSTANCE, NS, name, graceSeconds, null)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Waits until the data planes balance {@code service} over {@code n} endpoints. */
  void awaitEndpoints(String service, int n) {
    ServiceKey key = ServiceKey.of(NS, service);
    Awaitility.await()
        .atMost(WAIT)
        .until(
            () ->
                agent.clusters().stream()
                        .filter(c -> c.key().service().equals(key))
                        .allMatch(c -> c.balancer().endpoints().size() == n)
                    && agent.clusters().stream().anyMatch(c -> c.key().service().equals(key)));
  }

  /** Waits for a listener of {@code kind} for {@code service} on either plane, and returns it. */
  Listener awaitListener(String service, Listener.Kind kind) {
    ServiceKey key = ServiceKey.of(NS, service);
    return Awaitility.await()
        .atMost(WAIT)
        .until(
            () -> {
              for (DataPlane p : List.of(agent, edge)) {
                for (Route r : p.routes()) {
                  Listener l = r.listener();
                  if (l.kind() == kind && l.service().equals(key)) {
                    return l;
                  }
                }
              }
              return null;
            },
            l -> l != null);
  }

  static Service service(String name, ServiceType type, ServicePort... ports) {
    return new Service(
        ObjectMeta.of(NS, name), ServiceSpec.of(type, Map.of("app", name), List.of(ports)));
  }

  /** A service port {@code name} on {@code port}, targeting the instance port {@code name}. */
  static ServicePort port(String name, int port, ServicePort.Protocol protocol, String app) {
    return new ServicePort(name, protocol, port, IntOrString.of(name), null, app);
  }

  static Instance instance(String name, String app, int port, String portName) {
    return new Instance(
        ObjectMeta.of(NS, name, Map.of("app", app)),
        new InstanceSpec("127.0.0.1", Map.of(portName, port), null, null, null, null, null, null));
  }

  @Override
  public void close() {
    try {
      edge.close();
      agent.close();
      client.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    } finally {
      registry.close();
    }
  }
}
