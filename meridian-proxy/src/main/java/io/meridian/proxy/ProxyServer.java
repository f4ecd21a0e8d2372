package io.meridian.proxy;

import io.meridian.client.MeridianClient;
import io.meridian.proxy.admin.AdminServer;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A data-plane process's parts together: one registry client, one event loop group, and a {@link
 * DataPlane} per role ({@code meridian agent}: one agent plane; {@code meridian edge}: one edge
 * plane; {@code meridian dev}: both).
 *
 * <p>Thread-safety: {@link #start} then {@link #close}, each once; the getters are safe after
 * start.
 */
public final class ProxyServer implements AutoCloseable {

  /**
   * @param registry the registry's API URL
   * @param planes one config per data plane
   * @param settings timeouts and limits
   * @param threads event loop threads (0: one per available processor)
   * @param acceptProxyProtocol whether clients send a PROXY protocol header first (behind another
   *     load balancer)
   * @param adminHost the admin port's address
   * @param adminPort the admin port ({@code /metrics}, {@code /readyz}, {@code /dump}); 0 picks a
   *     free one, -1 means none
   */
  public record Options(
      URI registry,
      List<DataPlaneConfig> planes,
      ProxySettings settings,
      int threads,
      boolean acceptProxyProtocol,
      String adminHost,
      int adminPort) {
    public Options {
      Objects.requireNonNull(registry, "registry");
      planes = List.copyOf(planes);
      Objects.requireNonNull(settings, "settings");
    }
  }

  private final Options options;
  private final Transport transport = Transport.best();
  private MeridianClient client;
  private EventLoopGroup group;
  private final List<DataPlane> planes = new ArrayList<>();
  private AdminServer admin;

  public ProxyServer(Options options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Connects to the registry and starts the planes; completes at once (sidecar listeners are
   * bound), while the registry's listeners follow with its first snapshot ({@link #ready()}).
   */
  public CompletableFuture<ProxyServer> start() {
    try {
      client = MeridianClient.connect(options.registry());
      int threads =
          options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
      group = transport.group(threads);
      for (DataPlaneConfig c : options.planes()) {
        // As root, service addresses that are not local yet go on a dummy interface per plane.
        AddressProvisioner addrs =
            DummyInterface.permitted()
                ? new DummyInterface(
                    c.role() == DataPlaneConfig.Role.AGENT ? "meridian0" : "meridian1")
                : AddressProvisioner.NONE;
        DataPlane p =
            new DataPlane(
                client,
                c,
                options.settings(),
                transport,
                group,
                options.acceptProxyProtocol(),
                addrs);
        planes.add(p);
        p.start();
      }
      if (options.adminPort() < 0) {
        return CompletableFuture.completedFuture(this);
      }
      MeridianClient c = client;
      admin =
          new AdminServer(
              options.adminHost(), options.adminPort(), planes, () -> c.watch().connected());
      return admin
          .start()
          .handle(
              (a, e) -> {
                if (e != null) {
                  close();
                  throw new java.util.concurrent.CompletionException(e);
                }
                return this;
              });
    } catch (RuntimeException e) {
      close();
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Completes once every plane applied the registry's first snapshot. */
  public CompletableFuture<ProxyServer> ready() {
    return CompletableFuture.allOf(
            planes.stream().map(DataPlane::ready).toArray(CompletableFuture[]::new))
        .thenApply(v -> this);
  }

  /** The admin port's address, or null when there is none. */
  public InetSocketAddress adminAddress() {
    return admin == null ? null : admin.address();
  }

  public List<DataPlane> planes() {
    return List.copyOf(planes);
  }

  public MeridianClient client() {
    return client;
  }

  public Transport transport() {
    return transport;
  }

  public EventLoopGroup group() {
    return group;
  }

  /** Stops listening, closes connections, the planes and the registry client. */
  @Override
  public void close() {
    if (admin != null) {
      admin.close();
    }
    for (DataPlane p : planes) {
      p.close();
    }
    if (client != null) {
      client.close();
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
