package io.meridian.client;

import io.meridian.balancer.Backend;
import io.meridian.balancer.HashKeys;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policies;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.core.LoadBalancer;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import io.meridian.balancer.panic.PanicConfig;
import io.meridian.balancer.slowstart.SlowStartConfig;
import io.meridian.balancer.zone.ZoneConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client-side load balancing over one port of one service: {@code pick()} an {@link Endpoint} per
 * request, send to it, then {@link #report} how it went.
 *
 * <pre>{@code
 * ServiceBalancer web = client.balancer("default/web", "http");
 * Endpoint e = web.pick();
 * long t0 = System.nanoTime();
 * Outcome o = callAndClassify(e);
 * web.report(e, o, Duration.ofNanos(System.nanoTime() - t0));
 * }</pre>
 *
 * <h2>Design note</h2>
 *
 * <p>The registry's snapshots are the resolver, a {@link LoadBalancer} is the balancer and its
 * {@link Picker} answers each pick (grpc-java's split). On each snapshot in which the service's
 * entry changed, the endpoints are recomputed ({@link PortEndpoints}: the ready ones, or the
 * draining ones when none is ready). {@link Backend}s are reused by {@code address:port} so their
 * in-flight counts survive the update. The policy is the service's {@code
 * spec.loadBalancing.policy} (round robin when absent) unless the builder overrides it; a change of
 * policy builds a new balancer, publishes it, then closes the old one.
 *
 * <p>Every pick counts a request in flight on the picked backend (least request reads that count);
 * {@link #report} ends it and feeds outlier detection. Call {@code report} once for every pick.
 * {@link MeridianHttpClient} and the gRPC integration do this for you.
 *
 * <p>Thread-safety: {@link #pick()}, {@link #pick(long)} and {@link #report} are lock-free and may
 * be called from any thread; a pick is one volatile read plus the picker's own work and allocates
 * nothing. The current state is one volatile field, replaced (never mutated) on the watch's
 * callback executor or by a health mark, under the balancer's lock, which also guards {@code
 * lastEntry}. Endpoint selection is {@link PortEndpoints}'.
 */
public final class ServiceBalancer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServiceBalancer.class);

  private final ServiceKey service;
  private final String port; // null: the service's only port
  private final Settings settings;
  private final ClusterWatch watch;
  private final Consumer<ServiceBalancer> onClosed;
  private final SnapshotListener listener = this::onSnapshot;
  private final CompletableFuture<ServiceBalancer> ready = new CompletableFuture<>();

  private final Set<Endpoint> unhealthy = ConcurrentHashMap.newKeySet();
  private final List<Consumer<ServiceBalancer>> updateListeners = new CopyOnWriteArrayList<>();

  private volatile State state;
  private volatile boolean closed;

  // Guarded by this: recomputation runs on the watch's callback executor, or on a health mark.
  private ServiceEntry lastEntry;
  private boolean seen;

  /** What one recomputation produced; immutable. */
  private record State(
      LoadBalancer<Endpoint> lb,
      Picker<Endpoint> fallback, // a retired balancer's last picker, until lb has published one
      String policy,
      String hashOn,
      Map<Endpoint, Backend<Endpoint>> backends,
      List<Endpoint> candidates, // selected before health marks: what active health checks probe
      String problem) {}

  ServiceBalancer(
      ServiceKey service,
      String port,
      Settings settings,
      ClusterWatch watch,
      Consumer<ServiceBalancer> onClosed) {
    this.onClosed = onClosed;
    this.service = service;
    this.port = port;
    this.settings = settings;
    this.watch = watch;
    this.state =
        new State(
            null,
            null,
            null,
            null,
            Map.of(),
            List.of(),
            "no snapshot of the registry yet (is it reachable?)");
  }

  /** Subscribes to the watch; called once by the builder. */
  ServiceBalancer start() {
    watch.addListener(listener);
    return this;
  }

  /** The service balanced over. */
  public ServiceKey service() {
    return service;
  }

  /** The service port's name as given (null: the service's only port). */
  public String port() {
    return port;
  }

  /** The policy in use ({@code round_robin}, {@code maglev}, ...), or null before the service. */
  public String policy() {
    return state.policy;
  }

  /**
   * The service's {@code spec.loadBalancing.hashOn} ({@code client_ip}, {@code header:NAME}), or
   * null: what a caller should hash for {@link #pick(CharSequence)}.
   */
  public String hashOn() {
    return state.hashOn;
  }

  /** The endpoints currently balanced over (ready ones, or serving ones when none is ready). */
  public List<Endpoint> endpoints() {
    return List.copyOf(state.backends.keySet());
  }

  /**
   * The endpoints the registry offers for this port (ready ones, or serving ones when none is
   * ready), before {@linkplain #markHealthy health marks}: what an active health checker probes.
   */
  public List<Endpoint> candidates() {
    return state.candidates;
  }

  /** Why there is nothing to pick, or null when there are endpoints. */
  public String problem() {
    return state.problem;
  }

  /** The number of requests picked and not yet reported on {@code endpoint} (0 when it left). */
  public int activeRequests(Endpoint endpoint) {
    Backend<Endpoint> b = state.backends.get(endpoint);
    return b == null ? 0 : b.activeRequests();
  }

  /**
   * Marks {@code endpoint} healthy or not, as an active health checker found it: an unhealthy
   * endpoint is not picked while another is (when every candidate is unhealthy, all are used: a
   * guess beats certain failure, Envoy's panic mode). Marks for endpoints that left are dropped on
   * the next update.
   */
  public void markHealthy(Endpoint endpoint, boolean healthy) {
    boolean changed = healthy ? unhealthy.remove(endpoint) : unhealthy.add(endpoint);
    if (changed && !closed) {
      synchronized (this) {
        if (seen) {
          recompute(lastEntry);
        }
      }
    }
  }

  /** Whether {@code endpoint} is marked unhealthy by {@link #markHealthy}. */
  public boolean isMarkedUnhealthy(Endpoint endpoint) {
    return unhealthy.contains(endpoint);
  }

  /** Whether {@code endpoint} is balanced over now (not gone, not draining while others serve). */
  public boolean contains(Endpoint endpoint) {
    return state.backends.containsKey(endpoint);
  }

  /**
   * Picks {@code endpoint} again if it can still be picked (it is balanced over and not ejected by
   * outlier detection...: only its presence is checked), for session affinity: counts a request in
   * flight on it, as {@link #pick()} does, and returns it; null when it has left.
   */
  public Endpoint claim(Endpoint endpoint) {
    Backend<Endpoint> b = state.backends.get(endpoint);
    if (b == null) {
      return null;
    }
    b.started();
    return endpoint;
  }

  /**
   * Calls {@code listener} with this balancer after each change of its endpoints (on the thread
   * that applied it; keep it short).
   */
  public void addUpdateListener(Consumer<ServiceBalancer> listener) {
    updateListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Completes when the balancer first has an endpoint to pick, so a caller can wait for the
   * registry before its first request: {@code web.ready().get(5, SECONDS)}.
   */
  public CompletableFuture<ServiceBalancer> ready() {
    return ready;
  }

  /**
   * An endpoint for a request without affinity.
   *
   * @throws NoEndpointException when there is nothing to pick, saying why (unknown service, no such
   *     port, no ready endpoint)
   */
  public Endpoint pick() {
    State s = state;
    return take(s, s.lb == null ? null : picker(s).pick());
  }

  /**
   * An endpoint for a request with affinity to {@code hash} (see {@link HashKeys}): hash policies
   * keep equal hashes on one endpoint while it stays; other policies ignore it.
   */
  public Endpoint pick(long hash) {
    State s = state;
    return take(s, s.lb == null ? null : picker(s).pick(hash));
  }

  /** The balancer's picker or, while a new balancer has not applied its first update, the old's. */
  private static Picker<Endpoint> picker(State s) {
    Picker<Endpoint> p = s.lb.picker();
    return p.size() == 0 && s.fallback != null ? s.fallback : p;
  }

  /** {@link #pick(long)} with {@code key} hashed by {@link HashKeys#hash(CharSequence)}. */
  public Endpoint pick(CharSequence key) {
    return pick(HashKeys.hash(key));
  }

  private Endpoint take(State s, Backend<Endpoint> b) {
    if (b == null) {
      throw new NoEndpointException(s.problem == null ? describeEmpty() : s.problem);
    }
    b.started();
    return b.value();
  }

  private String describeEmpty() {
    return "service "
        + service
        + ": no endpoint to pick right now (all ejected, or an update is being applied)";
  }

  /**
   * How the request sent to {@code endpoint} (as picked) ended: ends its in-flight count and feeds
   * outlier detection. Reports for endpoints that have left since are ignored.
   *
   * @param latency how long it took, or null
   */
  public void report(Endpoint endpoint, Outcome outcome, Duration latency) {
    State s = state;
    Backend<Endpoint> b = s.backends.get(endpoint);
    if (b != null) {
      b.finished();
      s.lb.report(b, Objects.requireNonNull(outcome, "outcome"), latency);
    }
  }

  /**
   * Ends a pick that was not used (the caller picked again instead): ends its in-flight count and
   * reports nothing.
   */
  public void release(Endpoint endpoint) {
    Backend<Endpoint> b = state.backends.get(endpoint);
    if (b != null) {
      b.finished();
    }
  }

  /** Stops following the registry; picks keep answering from the last endpoints. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    watch.removeListener(listener);
    LoadBalancer<Endpoint> lb = state.lb;
    if (lb != null) {
      lb.close();
    }
    ready.completeExceptionally(new MeridianException("balancer for " + service + " closed"));
    onClosed.accept(this);
  }

  // ---- recomputation, on the watch's callback executor -------------------------------------

  private void onSnapshot(ClusterSnapshot snapshot) {
    if (closed) {
      return;
    }
    ServiceEntry entry = snapshot.service(service).orElse(null);
    synchronized (this) {
      if (seen && entry == lastEntry) {
        return;
      }
      seen = true;
      lastEntry = entry;
      recompute(entry);
    }
  }

  private void recompute(ServiceEntry entry) {
    try {
      recomputeUnchecked(entry);
    } catch (RuntimeException e) {
      log.warn("balancer for {}: could not apply the registry's state", service, e);
      return;
    }
    for (Consumer<ServiceBalancer> l : updateListeners) {
      try {
        l.accept(this);
      } catch (RuntimeException e) {
        log.warn("balancer for {}: an update listener failed", service, e);
      }
    }
  }

  private void recomputeUnchecked(ServiceEntry entry) {
    State old = state;
    PortEndpoints sel = PortEndpoints.select(service, entry, port, null, settings.node());
    List<Endpoint> candidates = sel.endpoints();
    unhealthy.retainAll(candidates);
    List<Endpoint> chosen = candidates;
    if (!unhealthy.isEmpty()) {
      List<Endpoint> healthy = new ArrayList<>(candidates.size());
      for (Endpoint e : candidates) {
        if (!unhealthy.contains(e)) {
          healthy.add(e);
        }
      }
      chosen = healthy.isEmpty() ? candidates : healthy;
    }
    String policy =
        settings.policy() != null
            ? settings.policy()
            : sel.policy() != null ? sel.policy() : "round_robin";
    List<Backend<Endpoint>> backends = new ArrayList<>(chosen.size());
    for (Endpoint e : chosen) {
      Backend<Endpoint> previous = old.backends.get(e);
      backends.add(
          previous != null ? previous : Backend.of(e, e.authority(), e.weight(), e.zone()));
    }
    publish(old, policy, sel.hashOn(), backends, candidates, sel.problem());
  }

  private void publish(
      State old,
      String policy,
      String hashOn,
      List<Backend<Endpoint>> backends,
      List<Endpoint> candidates,
      String problem) {
    LoadBalancer<Endpoint> lb = old.lb;
    LoadBalancer<Endpoint> retired = null;
    String policyName = policy == null ? "round_robin" : policy;
    if (lb == null || !policyName.equals(old.policy)) {
      Policy p;
      try {
        p = Policies.create(policyName, settings.policyConfig());
      } catch (IllegalArgumentException e) {
        log.warn("balancer for {}: {}; using round_robin", service, e.getMessage());
        policyName = "round_robin";
        p = Policies.create(policyName);
      }
      retired = lb;
      lb = settings.newBalancer(p);
      lb.addListener(this::onPicker);
    }
    Map<Endpoint, Backend<Endpoint>> byEndpoint = HashMap.newHashMap(backends.size());
    for (Backend<Endpoint> b : backends) {
      byEndpoint.put(b.value(), b);
    }
    lb.update(backends);
    Picker<Endpoint> fallback =
        backends.isEmpty()
            ? null
            : retired != null ? retired.picker() : lb.picker().size() == 0 ? old.fallback : null;
    state =
        new State(lb, fallback, policyName, hashOn, Map.copyOf(byEndpoint), candidates, problem);
    if (retired != null) {
      retired.close();
    }
  }

  private void onPicker(Picker<Endpoint> picker) {
    if (picker.size() > 0) {
      ready.complete(this);
    }
  }

  @Override
  public String toString() {
    State s = state;
    return "ServiceBalancer{"
        + service
        + (port == null ? "" : ":" + port)
        + ", "
        + s.policy
        + ", "
        + s.backends.size()
        + " endpoints"
        + (s.problem == null ? "" : ", " + s.problem)
        + "}";
  }

  /**
   * Configures a {@link ServiceBalancer}; from {@link MeridianClient#balancerBuilder(String)}.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {

    private final MeridianClient client;
    private final ServiceKey service;
    private String port;
    private String policy;
    private Map<String, ?> policyConfig = Map.of();
    private OutlierDetectionConfig outlierDetection = MeridianClient.DEFAULT_OUTLIER_DETECTION;
    private PanicConfig panic = PanicConfig.DEFAULT;
    private SlowStartConfig slowStart = SlowStartConfig.OFF;
    private String localZone;
    private String node;

    Builder(MeridianClient client, ServiceKey service) {
      this.client = client;
      this.service = service;
    }

    /**
     * The service port to balance, by name (or number); leave unset when the service has one port.
     */
    public Builder port(String name) {
      this.port = name;
      return this;
    }

    /** Overrides the service's {@code spec.loadBalancing.policy} with {@code name}, defaults. */
    public Builder policy(String name) {
      return policy(name, Map.of());
    }

    /**
     * Overrides the service's policy with {@code name} configured by {@code config} ({@code
     * tableSize} for maglev, {@code minRingSize} for ring_hash, ...).
     *
     * @throws IllegalArgumentException for an unknown policy or bad config, naming it
     */
    public Builder policy(String name, Map<String, ?> config) {
      Policies.create(name, config); // validate now, not on the first snapshot
      this.policy = name;
      this.policyConfig = Map.copyOf(config);
      return this;
    }

    /**
     * Passive outlier detection from reported outcomes; null turns it off. The default is Envoy's,
     * except that up to half the endpoints may be ejected (see {@link
     * MeridianClient#DEFAULT_OUTLIER_DETECTION}).
     */
    public Builder outlierDetection(OutlierDetectionConfig config) {
      this.outlierDetection = config;
      return this;
    }

    /** The panic threshold (default 50 %, Envoy's). */
    public Builder panic(PanicConfig config) {
      this.panic = Objects.requireNonNull(config, "panic");
      return this;
    }

    /** Ramps new endpoints' weight over a window (default off). */
    public Builder slowStart(SlowStartConfig config) {
      this.slowStart = Objects.requireNonNull(config, "slowStart");
      return this;
    }

    /** Prefers endpoints in {@code zone} while enough of them are healthy (default: no zone). */
    public Builder localZone(String zone) {
      this.localZone = zone;
      return this;
    }

    /**
     * Balances only over endpoints on node {@code node} (null, the default: any node): a traffic
     * policy {@code Local}, as a node agent applies it.
     */
    public Builder node(String node) {
      this.node = node;
      return this;
    }

    /** Builds the balancer and starts following the registry; close it when done. */
    public ServiceBalancer build() {
      Settings s =
          new Settings(
              policy,
              policyConfig,
              outlierDetection,
              panic,
              slowStart,
              localZone == null ? null : ZoneConfig.of(localZone),
              node,
              client.scheduler(),
              client.ticker(),
              client.random());
      return client.track(
          new ServiceBalancer(service, port, s, client.watch(), client::untrack).start());
    }
  }

  /** A built balancer's settings: how to make its {@link LoadBalancer}. Immutable. */
  record Settings(
      String policy,
      Map<String, ?> policyConfig,
      OutlierDetectionConfig outlierDetection,
      PanicConfig panic,
      SlowStartConfig slowStart,
      ZoneConfig zone,
      String node,
      ScheduledExecutorService scheduler,
      LongSupplier ticker,
      RandomSource random) {

    LoadBalancer<Endpoint> newBalancer(Policy p) {
      LoadBalancer.Builder b =
          LoadBalancer.builder(p, scheduler)
              .ticker(ticker)
              .random(random)
              .panic(panic)
              .slowStart(slowStart);
      if (outlierDetection != null) {
        b.outlierDetection(outlierDetection);
      }
      if (zone != null) {
        b.zone(zone);
      }
      return b.build();
    }
  }
}
