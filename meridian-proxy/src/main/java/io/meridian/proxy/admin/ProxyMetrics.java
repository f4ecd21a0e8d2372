package io.meridian.proxy.admin;

import io.meridian.client.Endpoint;
import io.meridian.client.ServiceBalancer;
import io.meridian.proxy.DataPlane;
import io.meridian.proxy.Listener;
import io.meridian.proxy.cluster.ClusterKey;
import io.meridian.proxy.cluster.ClusterStats;
import io.meridian.proxy.cluster.LatencyHistogram;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The Prometheus metrics of a set of {@link DataPlane}s: per cluster, the counters of its {@link
 * ClusterStats}, its in-flight requests, its endpoints and its latency histogram; per listener, its
 * open client connections; per plane, its client connections and listeners that failed to bind; and
 * whether the registry watch is connected.
 *
 * <p>Clusters and listeners come and go with registry snapshots. Rather than follow them with a
 * thread or a callback, every {@link #scrape()} first reconciles the registered meters with what
 * each plane has now (mark and sweep by stable key): meters of a new cluster or listener are
 * registered, those of a gone one are removed, a cluster recreated under the same key gets fresh
 * meters (Prometheus sees a counter reset). Counters are Micrometer function counters reading the
 * cluster's {@link LongAdder}s, so the data path knows nothing of Micrometer. The latency histogram
 * has fixed buckets that Micrometer cannot express as a function meter; it is a collector of its
 * own in the same Prometheus registry, so one scrape renders everything.
 *
 * <p>Every series carries {@code role} ({@code agent} or {@code edge}), so that two planes in one
 * process never collide. Cluster series add {@code cluster} ({@link ClusterKey#toString()}), {@code
 * service} and {@code port}; listener series add {@code listener} ({@link Listener#key()}) and
 * {@code kind}.
 *
 * <p>Thread-safety: {@link #scrape()} is synchronized (it reconciles, then renders); the meter
 * tables are guarded by this object's lock. The histogram collector reads a volatile list published
 * by the last reconcile. Reading a plane takes the plane's lock briefly, so a scrape must not run
 * on an event loop that the plane blocks on while binding.
 */
public final class ProxyMetrics {

  static final String PREFIX = "meridian_proxy_";
  static final String LATENCY = PREFIX + "upstream_request_duration_seconds";
  private static final String[] RESPONSE_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

  private final List<DataPlane> planes;
  private final PrometheusRegistry prometheus = new PrometheusRegistry();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(
          PrometheusConfig.DEFAULT, prometheus, io.micrometer.core.instrument.Clock.SYSTEM);

  // Guarded by this.
  private final Map<ClusterSeries, ClusterMeters> clusters = new HashMap<>();
  private final Map<ListenerSeries, List<Meter>> listeners = new HashMap<>();

  /** Open connections per listener, as read at the start of the current scrape. */
  private volatile Map<ListenerSeries, Integer> connectionsNow = Map.of();

  /** The clusters as of the last reconcile, for the histogram collector. */
  private volatile List<ClusterMeters> published = List.of();

  /** A cluster's identity in the metrics: its plane's role and its key. */
  private record ClusterSeries(String role, ClusterKey key) {}

  /** A listener's identity in the metrics: its plane's role, its socket key and kind. */
  private record ListenerSeries(String role, String key, String kind) {}

  /**
   * The meters of one cluster; holds the cluster strongly, as Micrometer's function meters only
   * hold it weakly.
   */
  private record ClusterMeters(UpstreamCluster cluster, Labels labels, List<Meter> meters) {}

  /**
   * @param planes the data planes to describe (their roles should differ)
   * @param registryConnected whether the registry watch is connected now
   */
  public ProxyMetrics(List<DataPlane> planes, BooleanSupplier registryConnected) {
    this.planes = List.copyOf(planes);
    Objects.requireNonNull(registryConnected, "registryConnected");
    Gauge.builder(PREFIX + "registry_connected", () -> registryConnected.getAsBoolean() ? 1 : 0)
        .description("1 while the registry watch is connected; listeners keep serving without it")
        .register(registry);
    for (DataPlane p : this.planes) {
      Tags role = Tags.of("role", role(p));
      Gauge.builder(PREFIX + "client_connections", p, DataPlane::connections)
          .description("client connections open now, across listeners")
          .tags(role)
          .strongReference(true)
          .register(registry);
      Gauge.builder(PREFIX + "listener_bind_errors", p, dp -> dp.bindErrors().size())
          .description("listeners that could not be bound")
          .tags(role)
          .strongReference(true)
          .register(registry);
    }
    prometheus.register(new LatencyCollector());
  }

  /** The underlying registry, for process-wide meters (JVM, Netty) the caller may bind. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Reconciles the meters with the planes, then renders the Prometheus text format 0.0.4. */
  public synchronized String scrape() {
    reconcile();
    return registry.scrape();
  }

  private void reconcile() {
    Map<ClusterSeries, UpstreamCluster> wantedClusters = new HashMap<>();
    Map<ListenerSeries, Integer> wantedListeners = new HashMap<>();
    for (DataPlane p : planes) {
      String role = role(p);
      for (UpstreamCluster c : p.clusters()) {
        wantedClusters.put(new ClusterSeries(role, c.key()), c);
      }
      for (Map.Entry<Listener, Integer> e : p.connectionsByListener().entrySet()) {
        Listener l = e.getKey();
        wantedListeners.put(new ListenerSeries(role, l.key(), kind(l)), e.getValue());
      }
    }

    for (Iterator<Map.Entry<ClusterSeries, ClusterMeters>> it = clusters.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<ClusterSeries, ClusterMeters> e = it.next();
      if (wantedClusters.get(e.getKey()) != e.getValue().cluster()) {
        e.getValue().meters().forEach(registry::remove);
        it.remove();
      }
    }
    for (Map.Entry<ClusterSeries, UpstreamCluster> e : wantedClusters.entrySet()) {
      clusters.computeIfAbsent(e.getKey(), k -> register(k, e.getValue()));
    }
    List<ClusterMeters> sorted = new ArrayList<>(clusters.values());
    sorted.sort((a, b) -> a.labels().toString().compareTo(b.labels().toString()));
    published = List.copyOf(sorted);

    connectionsNow = Map.copyOf(wantedListeners);
    for (Iterator<Map.Entry<ListenerSeries, List<Meter>>> it = listeners.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<ListenerSeries, List<Meter>> e = it.next();
      if (!wantedListeners.containsKey(e.getKey())) {
        e.getValue().forEach(registry::remove);
        it.remove();
      }
    }
    for (ListenerSeries s : wantedListeners.keySet()) {
      listeners.computeIfAbsent(s, this::register);
    }
  }

  private ClusterMeters register(ClusterSeries s, UpstreamCluster c) {
    ClusterKey k = s.key();
    Tags tags =
        Tags.of(
            "role", s.role(),
            "cluster", k.toString(),
            "service", k.service().toString(),
            "port", k.port());
    ClusterStats st = c.stats();
    List<Meter> m = new ArrayList<>();
    m.add(
        counter("upstream_requests", "connections (L4) or requests (L7) sent", tags, st.requests));
    for (int i = 0; i < RESPONSE_CLASSES.length; i++) {
      LongAdder a = st.responses[i];
      m.add(
          counter(
              "upstream_responses",
              "L7 responses by status class (none: reset or timed out)",
              tags.and("class", RESPONSE_CLASSES[i]),
              a));
    }
    m.add(
        counter(
            "upstream_connect_failures",
            "connections to endpoints that failed to open",
            tags,
            st.connectFailures));
    m.add(counter("upstream_retries", "attempts repeated on another endpoint", tags, st.retries));
    m.add(
        counter(
            "upstream_unavailable",
            "requests or connections refused: no endpoint, or the cluster's limit",
            tags,
            st.unavailable));
    m.add(counter("upstream_bytes_sent", "bytes relayed towards endpoints", tags, st.bytesSent));
    m.add(
        counter(
            "upstream_bytes_received",
            "bytes relayed back from endpoints",
            tags,
            st.bytesReceived));
    m.add(
        gauge(
            "upstream_active_connections",
            "connections open to endpoints now",
            tags,
            c,
            x -> x.stats().activeConnections.sum()));
    m.add(
        gauge(
            "upstream_in_flight",
            "requests or connections picked and not yet ended",
            tags,
            c,
            UpstreamCluster::inFlight));
    m.add(
        gauge(
            "upstream_endpoints",
            "endpoints selected for the cluster, by whether new requests may go to them",
            tags.and("state", "healthy"),
            c,
            x -> endpoints(x.balancer(), true)));
    m.add(
        gauge(
            "upstream_endpoints",
            "endpoints selected for the cluster, by whether new requests may go to them",
            tags.and("state", "excluded"),
            c,
            x -> endpoints(x.balancer(), false)));
    Labels labels =
        Labels.of(
            "cluster",
            k.toString(),
            "port",
            k.port(),
            "role",
            s.role(),
            "service",
            k.service().toString());
    return new ClusterMeters(c, labels, List.copyOf(m));
  }

  private List<Meter> register(ListenerSeries s) {
    Tags tags = Tags.of("role", s.role(), "listener", s.key(), "kind", s.kind());
    return List.of(
        Gauge.builder(
                PREFIX + "listener_active_connections",
                this,
                pm -> pm.connectionsNow.getOrDefault(s, 0))
            .description("client connections open now on the listener")
            .tags(tags)
            .register(registry));
  }

  private FunctionCounter counter(String name, String help, Tags tags, LongAdder adder) {
    // The adder is held weakly, but by a cluster this object holds until it removes the meter.
    return FunctionCounter.builder(PREFIX + name, adder, LongAdder::sum)
        .description(help)
        .tags(tags)
        .register(registry);
  }

  private Gauge gauge(
      String name, String help, Tags tags, UpstreamCluster c, ToDoubleFunction<UpstreamCluster> f) {
    return Gauge.builder(PREFIX + name, c, f).description(help).tags(tags).register(registry);
  }

  /** Candidates that new requests may go to ({@code healthy}), or the others. */
  private static double endpoints(ServiceBalancer b, boolean healthy) {
    int n = 0;
    for (Endpoint e : b.candidates()) {
      if (b.contains(e) == healthy) {
        n++;
      }
    }
    return n;
  }

  private static String role(DataPlane p) {
    return p.config().role().name().toLowerCase(Locale.ROOT);
  }

  private static String kind(Listener l) {
    return l.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Renders each cluster's {@link LatencyHistogram} as a classic Prometheus histogram. */
  private final class LatencyCollector implements MultiCollector {

    private final double[] bounds = withInfinity(LatencyHistogram.upperBoundsSeconds());

    @Override
    public MetricSnapshots collect() {
      List<ClusterMeters> now = published;
      if (now.isEmpty()) {
        return MetricSnapshots.of();
      }
      HistogramSnapshot.Builder b =
          HistogramSnapshot.builder()
              .name(LATENCY)
              .help("L7 request latency, from arrival to end, retries included");
      for (ClusterMeters cm : now) {
        LatencyHistogram h = cm.cluster().stats().latency;
        long[] counts = h.counts();
        b.dataPoint(
            HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .labels(cm.labels())
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                .sum(h.sumNanos() / 1e9)
                .build());
      }
      return MetricSnapshots.of(b.build());
    }

    private static double[] withInfinity(double[] finite) {
      double[] out = java.util.Arrays.copyOf(finite, finite.length + 1);
      out[finite.length] = Double.POSITIVE_INFINITY;
      return out;
    }
  }
}
