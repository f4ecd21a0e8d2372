package io.meridian.client;

import io.meridian.api.Instance;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import io.meridian.client.internal.RegistryCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Meridian for a Java service: find and balance over other services, and register this one.
 *
 * <pre>{@code
 * try (MeridianClient client = MeridianClient.connect(URI.create("http://127.0.0.1:7070"))) {
 *   Registration me = client.register(instance, Duration.ofSeconds(10));  // heartbeats itself
 *   ServiceBalancer web = client.balancer("default/web", "http");
 *   MeridianHttpClient http = MeridianHttpClient.create(client);
 *   http.send(HttpRequest.newBuilder(URI.create("http://web.default/hello")).build(), ofString());
 * }
 * }</pre>
 *
 * <h2>Design note</h2>
 *
 * <p>One client holds one {@link ClusterWatch} (a list-watch cache of services, endpoints and
 * nodes) shared by every balancer it makes, and one scheduler for the watch, the balancers' timers
 * and heartbeats. Building does no I/O; {@link #connect} starts the watch without waiting for it
 * ({@link #ready()} completes on the first snapshot; a balancer's own {@code ready()} on its first
 * endpoint). {@link #close()} deregisters what it registered (bounded wait), closes its balancers
 * and the watch, and stops what it created; what was injected is left running.
 *
 * <p>Thread-safety: safe from any thread. The sets of balancers and registrations are concurrent;
 * everything else is final.
 */
public final class MeridianClient implements AutoCloseable {

  /**
   * The client's outlier detection: Envoy's defaults (5 consecutive failures or connect failures,
   * 30 s base ejection, success-rate ejection over 5+ busy endpoints), except that up to 50 % of
   * the endpoints may be ejected at once instead of 10 %. A client usually sees a handful of
   * endpoints, and with 10 % fewer than ten are never ejected; the panic threshold (50 %) still
   * spreads traffic over all of them if too many fail.
   */
  public static final OutlierDetectionConfig DEFAULT_OUTLIER_DETECTION =
      OutlierDetectionConfig.defaults().withMaxEjectionPercent(50);

  private final URI registry;
  private final ClusterWatch watch;
  private final RegistryCalls calls;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final LongSupplier ticker;
  private final RandomSource random;
  private final Duration requestTimeout;
  private final String defaultNamespace;
  private final Set<AutoCloseable> tracked = ConcurrentHashMap.newKeySet();
  private volatile CompletableFuture<ClusterSnapshot> ready;
  private volatile boolean closed;

  private MeridianClient(Builder b) {
    this.registry = b.registry;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = ownsScheduler ? newScheduler() : b.scheduler;
    this.ticker = b.ticker;
    this.random = b.random;
    this.requestTimeout = b.requestTimeout;
    this.defaultNamespace = b.namespace;
    HttpClient http =
        b.httpClient != null
            ? b.httpClient
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .build();
    this.calls = new RegistryCalls(http, registry, requestTimeout);
    this.watch =
        ClusterWatch.builder(registry)
            .httpClient(http)
            .scheduler(scheduler)
            .connectTimeout(b.connectTimeout)
            .requestTimeout(requestTimeout)
            .build();
  }

  private MeridianClient start() {
    ready = watch.start();
    return this;
  }

  private static ScheduledExecutorService newScheduler() {
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "meridian-client");
              t.setDaemon(true);
              return t;
            });
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  /** A client of the registry at {@code registry} ({@code http://host:port}), watching at once. */
  public static MeridianClient connect(URI registry) {
    return builder(registry).connect();
  }

  public static Builder builder(URI registry) {
    return new Builder(registry);
  }

  /** The registry's base URI. */
  public URI registry() {
    return registry;
  }

  /** Completes with the first snapshot of the registry (it keeps retrying until then). */
  public CompletableFuture<ClusterSnapshot> ready() {
    return ready;
  }

  /** The cache behind every balancer, for callers that want snapshots themselves. */
  public ClusterWatch watch() {
    return watch;
  }

  /**
   * A balancer over {@code service}'s port named {@code port} (null: its only port), with the
   * service's own policy. {@code service} is {@code namespace/name}, or a name in the client's
   * namespace.
   */
  public ServiceBalancer balancer(String service, String port) {
    return balancerBuilder(service).port(port).build();
  }

  /** Configures a balancer: policy override, outlier detection, zone, slow start. */
  public ServiceBalancer.Builder balancerBuilder(String service) {
    checkOpen();
    return new ServiceBalancer.Builder(this, serviceKey(service));
  }

  /**
   * Registers {@code instance} as ephemeral with {@code ttl} and keeps it alive with heartbeats
   * until the registration is closed. Waits for the registry's answer.
   *
   * @throws MeridianException when the registry refuses it (the message names the field) or cannot
   *     be reached within the request timeout
   */
  public Registration register(Instance instance, Duration ttl) {
    Registration r = newRegistration(instance, ttl);
    CompletableFuture<Registration> f = start(r);
    try {
      return f.get(requestTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      r.closeAsync(); // the write may still land: undo it
      throw new MeridianException("interrupted while registering");
    } catch (TimeoutException e) {
      r.closeAsync();
      throw new MeridianException(
          "registry at " + registry + " did not answer the registration in time", 0, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof MeridianException me
          ? me
          : new MeridianException(
              "could not register with " + registry + ": " + e.getCause(), 0, e.getCause());
    }
  }

  /** {@link #register} without waiting: completes when the registry has accepted it. */
  public CompletableFuture<Registration> registerAsync(Instance instance, Duration ttl) {
    return start(newRegistration(instance, ttl));
  }

  private Registration newRegistration(Instance instance, Duration ttl) {
    checkOpen();
    Registration r = new Registration(instance, ttl, calls, scheduler, this::untrack);
    tracked.add(r);
    return r;
  }

  private CompletableFuture<Registration> start(Registration r) {
    // A refused (or failed) registration owns nothing: close() must not delete that name.
    return r.start()
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                untrack(r);
              }
            });
  }

  /**
   * Deregisters every open registration (waiting up to the request timeout), closes every balancer
   * and the watch, and stops the scheduler if the client made it. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<CompletableFuture<Void>> pending = new java.util.ArrayList<>();
    for (AutoCloseable c : List.copyOf(tracked)) {
      if (c instanceof Registration r) {
        pending.add(r.closeAsync());
      } else if (c instanceof ServiceBalancer b) {
        b.close();
      }
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // a registration that could not be deleted expires with its lease
    }
    watch.close();
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  // ---- for the library's own parts ---------------------------------------------------------

  ServiceKey serviceKey(String service) {
    Objects.requireNonNull(service, "service");
    int slash = service.indexOf('/');
    return slash < 0
        ? ServiceKey.of(defaultNamespace, service)
        : ServiceKey.of(service.substring(0, slash), service.substring(slash + 1));
  }

  String defaultNamespace() {
    return defaultNamespace;
  }

  ServiceBalancer track(ServiceBalancer b) {
    tracked.add(b);
    return b;
  }

  void untrack(AutoCloseable c) {
    tracked.remove(c);
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  LongSupplier ticker() {
    return ticker;
  }

  RandomSource random() {
    return random;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("MeridianClient is closed");
    }
  }

  /**
   * Configures a {@link MeridianClient}. Everything has a default; inject the scheduler, ticker and
   * randomness to test code that uses the client.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {

    private final URI registry;
    private String namespace = "default";
    private HttpClient httpClient;
    private ScheduledExecutorService scheduler;
    private LongSupplier ticker = System::nanoTime;
    private RandomSource random = RandomSource.threadLocal();
    private Duration requestTimeout = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(2);

    private Builder(URI registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      String scheme = registry.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme) || registry.getHost() == null) {
        throw new IllegalArgumentException(
            "registry must be an http:// or https:// URI with a host, got \"" + registry + "\"");
      }
    }

    /** The namespace of service names given without one (default {@code default}). */
    public Builder namespace(String v) {
      this.namespace = Objects.requireNonNull(v, "namespace");
      return this;
    }

    /** The HTTP client for the registry (default: an HTTP/1.1 client of its own). */
    public Builder httpClient(HttpClient v) {
      this.httpClient = v;
      return this;
    }

    /** Runs the watch, balancers' timers and heartbeats (default: one daemon thread). */
    public Builder scheduler(ScheduledExecutorService v) {
      this.scheduler = v;
      return this;
    }

    /** The monotonic clock for balancing (default {@link System#nanoTime()}). */
    public Builder ticker(LongSupplier v) {
      this.ticker = Objects.requireNonNull(v, "ticker");
      return this;
    }

    /** Randomness for pickers (default thread-local). */
    public Builder random(RandomSource v) {
      this.random = Objects.requireNonNull(v, "random");
      return this;
    }

    /** How long one request to the registry may take (default 5 s). */
    public Builder requestTimeout(Duration v) {
      this.requestTimeout = positive(v, "requestTimeout");
      return this;
    }

    /** How long connecting to the registry may take (default 2 s). */
    public Builder connectTimeout(Duration v) {
      this.connectTimeout = positive(v, "connectTimeout");
      return this;
    }

    private static Duration positive(Duration v, String name) {
      if (v == null || v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + v);
      }
      return v;
    }

    /** Builds the client and starts its watch (without waiting for the first snapshot). */
    public MeridianClient connect() {
      return new MeridianClient(this).start();
    }
  }
}
