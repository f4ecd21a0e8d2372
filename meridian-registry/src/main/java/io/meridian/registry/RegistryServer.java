package io.meridian.registry;

import io.meridian.api.Kind;
import io.meridian.api.Namespace;
import io.meridian.api.ObjectMeta;
import io.meridian.registry.alloc.Allocator;
import io.meridian.registry.alloc.Ranges;
import io.meridian.registry.controller.EndpointsController;
import io.meridian.registry.controller.GracefulDeletionController;
import io.meridian.registry.controller.HealthWiring;
import io.meridian.registry.http.ApiMetrics;
import io.meridian.registry.http.ApiServer;
import io.meridian.registry.resource.Keys;
import io.meridian.registry.resource.Resources;
import io.meridian.registry.resource.ServiceAllocations;
import io.meridian.registry.store.Store;
import io.meridian.registry.store.embedded.EmbeddedStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry: embedded store, allocators, controllers and the HTTP API in one object.
 *
 * <p>Lifecycle: {@link #create} does no I/O; {@link #start()} recovers the store, starts the
 * allocators and controllers and binds the API (completing when it accepts connections); {@link
 * #close()} stops everything in the reverse order and waits for it.
 *
 * <p>Thread-safety: safe from any thread; start and close are serialized on {@code this}.
 */
public final class RegistryServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RegistryServer.class);

  private final RegistryConfig config;
  private final List<AutoCloseable> closeables = new ArrayList<>(); // guarded by this
  private volatile InetSocketAddress address;
  private volatile boolean ready;
  private volatile Store store;
  private volatile Resources resources;

  private RegistryServer(RegistryConfig config) {
    this.config = config;
  }

  public static RegistryServer create(RegistryConfig config) {
    return new RegistryServer(config);
  }

  public RegistryConfig config() {
    return config;
  }

  /** Recovers, starts controllers, binds. Runs on the caller's thread; the future is done. */
  public synchronized CompletableFuture<Void> start() {
    try {
      startNow();
      return CompletableFuture.completedFuture(null);
    } catch (Exception e) {
      close();
      return CompletableFuture.failedFuture(e);
    }
  }

  private void startNow() throws Exception {
    Allocator clusterIps =
        new Allocator(
            "clusterip", Keys.ALLOCATIONS + "clusterips/", Ranges.ipv4(config.serviceCidr()));
    Allocator nodePorts =
        new Allocator(
            "nodeport",
            Keys.ALLOCATIONS + "nodeports/",
            Ranges.ports(config.nodePortMin(), config.nodePortMax()));
    Allocator lbIps =
        new Allocator("lbip", Keys.ALLOCATIONS + "lbips/", Ranges.ipv4(config.lbPool()));

    EmbeddedStore s =
        EmbeddedStore.builder(config.dataDir())
            .historyLimit(config.historyLimit())
            .fsync(config.fsync())
            .build();
    closeables.add(s);
    s.start().get();
    store = s;
    s.recovery()
        .flatMap(r -> r.damage())
        .ifPresent(d -> log.warn("store recovered with damage: {}", d));

    ServiceAllocations allocations =
        new ServiceAllocations(clusterIps, nodePorts, lbIps, new Random());
    allocations.start(s);
    closeables.add(allocations);
    Resources res = new Resources(s, allocations, config.clock());
    resources = res;
    if (res.get(Kind.NAMESPACE, null, Namespace.DEFAULT).isEmpty()) {
      res.write(new Namespace(null, null, ObjectMeta.of(null, Namespace.DEFAULT)), false).get();
    }

    ScheduledExecutorService controllers =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("meridian-controllers").unstarted(r));
    closeables.add(
        () -> {
          controllers.shutdownNow();
          controllers.awaitTermination(5, TimeUnit.SECONDS);
        });
    EndpointsController endpoints =
        new EndpointsController(s, res.codec(), controllers, config.clock());
    closeables.add(endpoints);
    endpoints.start();
    GracefulDeletionController graceful =
        new GracefulDeletionController(res, controllers, config.clock());
    closeables.add(graceful);
    graceful.start();
    HealthWiring health = new HealthWiring(res, controllers, config.clock());
    closeables.add(health);
    health.start();

    ApiMetrics metrics = new ApiMetrics(s::currentRevision);
    ApiServer api =
        new ApiServer(
            res, metrics, () -> ready, config.bookmarkInterval(), config.maxRequestBytes());
    closeables.add(api);
    address = api.bind(config.host(), config.port());
    ready = true;
    log.info("registry listening on http://{}:{}", address.getHostString(), address.getPort());
  }

  /** The bound API address (after start). */
  public InetSocketAddress address() {
    InetSocketAddress a = address;
    if (a == null) {
      throw new IllegalStateException("not started");
    }
    return a;
  }

  /** {@code http://host:port} of the API (after start). */
  public URI uri() {
    InetSocketAddress a = address();
    String host = a.getHostString();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort());
  }

  /** The store (after start), for tests and embedding. */
  public Store store() {
    return store;
  }

  /** The typed resource layer (after start), for embedding in-process components. */
  public Resources resources() {
    return resources;
  }

  @Override
  public synchronized void close() {
    ready = false;
    // API first (no new requests), then controllers, then the store they write to.
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        log.warn("error while closing: {}", e.toString());
      }
    }
    closeables.clear();
  }
}
