package io.meridian.proxy;

import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.client.ClusterSnapshot;
import io.meridian.client.MeridianClient;
import io.meridian.client.ServiceBalancer;
import io.meridian.client.ServiceEntry;
import io.meridian.client.SnapshotListener;
import io.meridian.proxy.cluster.ClusterKey;
import io.meridian.proxy.cluster.HealthChecker;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.meridian.proxy.http.Http1Proxy;
import io.meridian.proxy.http2.Http2Proxy;
import io.meridian.proxy.tcp.TcpRelay;
import io.meridian.proxy.udp.UdpProxy;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data-plane process's listeners and clusters, kept equal to what {@link ListenerRenderer}
 * renders from each registry snapshot: new listeners are bound, kept ones get their new route in
 * place (their connections stay), removed ones stop accepting and their connections drain for up to
 * {@link ProxySettings#drainTimeout()}.
 *
 * <p>Per listener, the service port's {@code appProtocol} chooses the proxy: {@code http} is
 * balanced per request ({@link Http1Proxy}), {@code h2c} and {@code grpc} per request over HTTP/2
 * ({@link Http2Proxy}), {@code udp} per flow ({@link UdpProxy}), anything else per connection
 * ({@link TcpRelay}).
 *
 * <p>Thread-safety: reconciliation runs under this object's lock, on the watch's callback thread;
 * connections read their listener's route through one volatile field.
 */
public final class DataPlane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DataPlane.class);

  private final MeridianClient client;
  private final DataPlaneConfig config;
  private final ProxySettings settings;
  private final Transport transport;
  private final EventLoopGroup group;
  private final boolean acceptProxyProtocol;
  private final AddressProvisioner addresses;
  private final SnapshotListener listener = this::onSnapshot;
  private final AtomicInteger connections = new AtomicInteger();
  private final CompletableFuture<DataPlane> ready = new CompletableFuture<>();

  // Guarded by this.
  private final Map<String, Bound> bound = new LinkedHashMap<>();
  private final Map<ClusterKey, Managed> clusters = new HashMap<>();
  private final Set<String> provisioned = new HashSet<>();
  private boolean closed;

  /** A bound (or failed) listener and its live route. */
  final class Bound {
    volatile Route route;
    final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    Channel server; // null until bound, or when binding failed
    UdpProxy udpProxy;
    String error; // why binding failed, or null

    Bound(Route route) {
      this.route = route;
    }

    Route route() {
      return route;
    }
  }

  /** A cluster and its health checker. */
  private record Managed(UpstreamCluster cluster, HealthChecker checker) {}

  public DataPlane(
      MeridianClient client,
      DataPlaneConfig config,
      ProxySettings settings,
      Transport transport,
      EventLoopGroup group,
      boolean acceptProxyProtocol) {
    this(client, config, settings, transport, group, acceptProxyProtocol, AddressProvisioner.NONE);
  }

  /**
   * @param addresses makes ClusterIPs and ingress IPs local before they are bound ({@link
   *     DummyInterface} as root); closed with the plane
   */
  public DataPlane(
      MeridianClient client,
      DataPlaneConfig config,
      ProxySettings settings,
      Transport transport,
      EventLoopGroup group,
      boolean acceptProxyProtocol,
      AddressProvisioner addresses) {
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.client = Objects.requireNonNull(client, "client");
    this.config = Objects.requireNonNull(config, "config");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.group = Objects.requireNonNull(group, "group");
    this.acceptProxyProtocol = acceptProxyProtocol;
  }

  public DataPlaneConfig config() {
    return config;
  }

  /**
   * Follows the registry from now on; the sidecar upstreams are bound at once. The future completes
   * once the first snapshot's listeners have been bound (or failed to bind: see {@link #dump()}).
   */
  public CompletableFuture<DataPlane> start() {
    reconcile(client.watch().current());
    client.watch().addListener(listener);
    return ready;
  }

  /** Completes when the first snapshot was applied. */
  public CompletableFuture<DataPlane> ready() {
    return ready;
  }

  private void onSnapshot(ClusterSnapshot snapshot) {
    reconcile(snapshot);
    ready.complete(this);
  }

  private synchronized void reconcile(ClusterSnapshot snapshot) {
    if (closed) {
      return;
    }
    List<Listener> wanted;
    try {
      wanted = ListenerRenderer.render(snapshot, config);
    } catch (RuntimeException e) {
      log.warn("could not render listeners from the registry's state", e);
      return;
    }
    Map<ClusterKey, Managed> used = new HashMap<>();
    Map<String, Bound> next = new LinkedHashMap<>();
    for (Listener l : wanted) {
      ClusterKey ck = new ClusterKey(l.service(), l.servicePort(), l.localOnly());
      ServiceEntry entry = snapshot == null ? null : snapshot.service(l.service()).orElse(null);
      Managed m = used.get(ck);
      if (m == null) { // the first listener of this cluster in this snapshot
        m = clusters.computeIfAbsent(ck, this::newCluster);
        used.put(ck, m);
        m.checker.configure(entry == null ? null : entry.service().spec().healthCheck());
      }
      Route r = new Route(l, m.cluster, proxyProtocol(entry));
      Bound b = bound.remove(l.key());
      if (b != null && b.error == null && sameSocketKind(b.route.listener(), l)) {
        b.route = r; // its connections (and UDP flows) read it when they start
      } else {
        boolean retry = b != null && b.error != null; // log a repeated failure quietly
        if (b != null) {
          drain(b);
        }
        b = new Bound(r);
        bind(b, retry);
      }
      next.put(l.key(), b);
    }
    for (Bound gone : bound.values()) {
      drain(gone);
    }
    bound.clear();
    bound.putAll(next);
    Set<String> inUse = new HashSet<>();
    for (Bound b : next.values()) {
      if (provisions(b.route.listener())) {
        inUse.add(b.route.listener().address());
      }
    }
    for (String a : new ArrayList<>(provisioned)) {
      if (!inUse.contains(a)) {
        provisioned.remove(a);
        addresses.release(a);
      }
    }
    for (Map.Entry<ClusterKey, Managed> e : new ArrayList<>(clusters.entrySet())) {
      if (!used.containsKey(e.getKey())) {
        clusters.remove(e.getKey());
        e.getValue().checker.close();
        // Draining connections may still report to it: a closed balancer accepts reports.
        e.getValue().cluster.close();
      }
    }
  }

  /** Whether {@code a}'s socket can carry {@code b}'s traffic (same proxy kind). */
  private static boolean sameSocketKind(Listener a, Listener b) {
    return proxyKind(a).equals(proxyKind(b));
  }

  private static String proxyKind(Listener l) {
    if (l.protocol() == ServicePort.Protocol.UDP) {
      return "udp";
    }
    return switch (l.appProtocol()) {
      case "http" -> "http";
      case "h2c", "grpc" -> "h2";
      default -> "tcp";
    };
  }

  private static int proxyProtocol(ServiceEntry entry) {
    if (entry == null) {
      return 0;
    }
    Service svc = entry.service();
    String v = svc.metadata().annotations().get(Route.PROXY_PROTOCOL_ANNOTATION);
    if (v == null) {
      return 0;
    }
    return switch (v) {
      case "v1", "1" -> 1;
      case "v2", "2" -> 2;
      default -> 0;
    };
  }

  private Managed newCluster(ClusterKey k) {
    ServiceBalancer b =
        client
            .balancerBuilder(k.service().toString())
            .port(k.port().isEmpty() ? null : k.port())
            .node(k.localOnly() ? config.node() : null)
            .build();
    UpstreamCluster c =
        new UpstreamCluster(k, b, settings.maxRequestsPerCluster(), System::nanoTime);
    return new Managed(c, new HealthChecker(c, group, transport));
  }

  private static void warn(boolean quiet, Listener l, String error) {
    if (quiet) {
      log.debug("still cannot listen on {}: {}", l.key(), error);
    } else {
      log.warn("cannot listen on {}: {}", l.key(), error);
    }
  }

  /** Whether a listener's address is a service address to make local (not a node address). */
  private static boolean provisions(Listener l) {
    return l.kind() == Listener.Kind.CLUSTER_IP || l.kind() == Listener.Kind.LOAD_BALANCER;
  }

  private void bind(Bound b, boolean quiet) {
    Listener l = b.route.listener();
    if (provisions(l)) {
      try {
        addresses.ensure(l.address());
        provisioned.add(l.address());
      } catch (RuntimeException e) {
        b.error = "cannot add " + l.address() + " to the host: " + e.getMessage();
        warn(quiet, l, b.error);
        return;
      }
    }
    InetSocketAddress at = new InetSocketAddress(l.address(), l.port());
    if (l.protocol() == ServicePort.Protocol.UDP) {
      try {
        b.udpProxy = new UdpProxy(b::route, settings, transport, group);
        b.udpProxy.bind(at);
        log.info("listening on {}", l);
      } catch (Exception e) {
        b.error = String.valueOf(e.getMessage());
        warn(quiet, l, b.error);
      }
      return;
    }
    ServerBootstrap sb =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    initChild(b, ch);
                  }
                });
    ChannelFuture f = sb.bind(at);
    f.awaitUninterruptibly();
    if (f.isSuccess()) {
      b.server = f.channel();
      log.info("listening on {}", l);
    } else {
      b.error = String.valueOf(f.cause().getMessage());
      warn(quiet, l, b.error);
    }
  }

  private void initChild(Bound b, SocketChannel ch) {
    if (connections.incrementAndGet() > settings.maxConnections()) {
      connections.decrementAndGet();
      ch.close();
      return;
    }
    ch.closeFuture().addListener(f -> connections.decrementAndGet());
    b.children.add(ch);
    ChannelPipeline p = ch.pipeline();
    if (acceptProxyProtocol) {
      p.addLast(new HAProxyMessageDecoder());
    }
    Route r = b.route;
    String kind = proxyKind(r.listener());
    if (kind.equals("http")) {
      Http1Proxy.init(ch, b::route, settings, transport);
    } else if (kind.equals("h2")) {
      Http2Proxy.init(ch, b::route, settings, transport);
    } else {
      p.addLast(
          new IdleStateHandler(0, 0, settings.tcpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS));
      p.addLast(new TcpRelay(b::route, settings, transport, acceptProxyProtocol));
    }
  }

  private void drain(Bound b) {
    if (b.server != null) {
      // Wait: a listener whose kind changed is bound again on the same socket right after.
      b.server.close().awaitUninterruptibly();
    }
    if (b.udpProxy != null) {
      b.udpProxy.close();
    }
    if (!b.children.isEmpty()) {
      group
          .next()
          .schedule(
              () -> {
                b.children.close();
              },
              settings.drainTimeout().toMillis(),
              TimeUnit.MILLISECONDS);
    }
    log.info("stopped listening on {}", b.route.listener());
  }

  /** Client connections open now, across listeners. */
  public int connections() {
    return connections.get();
  }

  /**
   * Client connections open now per listener (bound or not), in order. UDP listeners count no
   * connections: their flows are not channels.
   */
  public synchronized Map<Listener, Integer> connectionsByListener() {
    Map<Listener, Integer> out = new LinkedHashMap<>();
    for (Bound b : bound.values()) {
      out.put(b.route.listener(), b.children.size());
    }
    return out;
  }

  /** The bound listeners' routes now, in order. */
  public synchronized List<Route> routes() {
    List<Route> out = new ArrayList<>();
    for (Bound b : bound.values()) {
      out.add(b.route);
    }
    return out;
  }

  /** The clusters now. */
  public synchronized List<UpstreamCluster> clusters() {
    List<UpstreamCluster> out = new ArrayList<>();
    for (Managed m : clusters.values()) {
      out.add(m.cluster);
    }
    out.sort((a, b) -> a.key().toString().compareTo(b.key().toString()));
    return out;
  }

  /** Listeners that could not be bound, by key, with the reason. */
  public synchronized Map<String, String> bindErrors() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Bound> e : bound.entrySet()) {
      if (e.getValue().error != null) {
        out.put(e.getKey(), e.getValue().error);
      }
    }
    return out;
  }

  /** A readable dump of listeners and clusters, for the admin port and {@code meridian agent}. */
  public synchronized String dump() {
    StringBuilder sb = new StringBuilder();
    sb.append("listeners (").append(bound.size()).append("):\n");
    for (Bound b : bound.values()) {
      sb.append("  ").append(b.route.listener());
      if (b.error != null) {
        sb.append("  [not bound: ").append(b.error).append(']');
      } else {
        sb.append("  [").append(b.children.size()).append(" connections]");
      }
      sb.append('\n');
    }
    sb.append("clusters (").append(clusters.size()).append("):\n");
    for (UpstreamCluster c : clusters()) {
      ServiceBalancer bal = c.balancer();
      sb.append("  ")
          .append(c.key())
          .append(" policy=")
          .append(bal.policy())
          .append(" in-flight=")
          .append(c.inFlight())
          .append('\n');
      if (bal.candidates().isEmpty()) {
        sb.append("    (no endpoints: ").append(bal.problem()).append(")\n");
      }
      for (var e : bal.candidates()) {
        sb.append("    ")
            .append(e)
            .append(bal.contains(e) ? "" : " excluded")
            .append(bal.isMarkedUnhealthy(e) ? " unhealthy" : "")
            .append(" active=")
            .append(bal.activeRequests(e))
            .append('\n');
      }
    }
    return sb.toString();
  }

  /** Stops listening and closes every connection and cluster. */
  @Override
  public void close() {
    List<Bound> all;
    List<Managed> cs;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(bound.values());
      cs = new ArrayList<>(clusters.values());
      bound.clear();
      clusters.clear();
    }
    client.watch().removeListener(listener);
    for (Bound b : all) {
      if (b.server != null) {
        b.server.close().awaitUninterruptibly();
      }
      if (b.udpProxy != null) {
        b.udpProxy.close();
      }
      b.children.close().awaitUninterruptibly();
    }
    for (Managed m : cs) {
      m.checker.close();
      m.cluster.close();
    }
    synchronized (this) {
      provisioned.clear();
      addresses.close();
    }
    ready.completeExceptionally(new IllegalStateException("data plane closed"));
  }
}
