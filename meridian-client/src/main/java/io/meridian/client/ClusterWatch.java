package io.meridian.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.api.Kind;
import io.meridian.api.Resource;
import io.meridian.client.internal.Backoff;
import io.meridian.client.internal.LineSplitter;
import io.meridian.client.internal.ResourceStream;
import io.meridian.client.internal.SerialExecutor;
import io.meridian.client.internal.WatchDecoder;
import io.meridian.client.internal.WatchEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A list-watch cache of the registry: keeps services, their endpoints and nodes in sync over three
 * watches and publishes each new state as an immutable {@link ClusterSnapshot}.
 *
 * <pre>{@code
 * try (ClusterWatch watch = ClusterWatch.builder(URI.create("http://127.0.0.1:7070")).build()) {
 *   watch.addListener(snapshot -> render(snapshot.changed()));
 *   ClusterSnapshot first = watch.start().get(10, SECONDS);
 *   ...
 * }
 * }</pre>
 *
 * <h2>Design note</h2>
 *
 * <p>Three {@link ResourceStream}s (the Kubernetes reflector loop: list, watch from the listed
 * revision, resume after a disconnect, relist on 410 Gone) feed one {@link SnapshotBuilder}. All of
 * it runs on one serial executor (the "sync context", grpc's {@code SynchronizationContext}) over
 * the injected scheduler, so the cache's state needs no lock. Events are coalesced: the first event
 * after a snapshot arms a timer of {@code coalesce} (10 ms by default), and everything that arrives
 * until it fires becomes one snapshot; during a burst (a rollout touching hundreds of endpoints)
 * consumers re-render once per window rather than once per event, and copying is paid per window
 * (see {@link ShardedMap} for the copy-on-write cost). 10 ms bounds the added propagation delay far
 * below a heartbeat or health-check interval while still folding the endpoints update that follows
 * a service change into the same snapshot in the common case.
 *
 * <p>Snapshots are published through one volatile field ({@link #current()}); listeners are called
 * on a second serial executor (the callback executor, by default the scheduler), so a slow listener
 * delays other listeners but never the watches. While the registry is unreachable the last snapshot
 * stays current; {@link #connected()} and {@link #lastSyncNanos()} tell how fresh it is.
 *
 * <p>Lifecycle: building does no I/O and starts no thread; {@link #start()} creates what the
 * builder did not inject (an HTTP/1.1 client, a one-thread daemon scheduler) and lists; {@link
 * #close()} cancels every request and stream and shuts down what it created. A watch is started at
 * most once.
 *
 * <p>Thread-safety: every public method is safe from any thread. Shared fields: {@code current} is
 * volatile; the builder, streams' state and flush timer are confined to the sync context; {@code
 * listeners} and {@code lastDelivered} are confined to the callback executor.
 */
public final class ClusterWatch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterWatch.class);

  private final URI registry;
  private final String namespace;
  private final HttpClient injectedHttp;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final SerialExecutor sync;
  private final SerialExecutor callbacks;
  private final Backoff backoff;
  private final Ticker ticker;
  private final Duration coalesce;
  private final Duration requestTimeout;
  private final Duration idleTimeout;
  private final Duration connectTimeout;

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<ClusterSnapshot> first = new CompletableFuture<>();
  private final long createdNanos;

  // Confined to sync.
  private final SnapshotBuilder builder = new SnapshotBuilder();
  private boolean flushArmed;
  private volatile Future<?> flushTimer; // also cancelled by close()

  // Confined to callbacks.
  private final List<SnapshotListener> listeners = new ArrayList<>();
  private ClusterSnapshot lastDelivered;

  // Set once by start(), read anywhere.
  private volatile List<ResourceStream> streams = List.of();
  private volatile HttpClient ownedHttp;
  private volatile long startedNanos;

  private volatile ClusterSnapshot current;

  private ClusterWatch(Builder b) {
    this.registry = b.registry;
    this.namespace = b.namespace;
    this.injectedHttp = b.http;
    this.ownsScheduler = b.scheduler == null;
    // A ScheduledThreadPoolExecutor starts its thread on the first task, i.e. in start().
    this.scheduler =
        ownsScheduler
            ? Executors.newSingleThreadScheduledExecutor(ClusterWatch::daemon)
            : b.scheduler;
    this.sync = new SerialExecutor(scheduler);
    this.callbacks =
        new SerialExecutor(b.callbackExecutor == null ? scheduler : b.callbackExecutor);
    this.backoff =
        new Backoff(
            b.backoffMin, b.backoffMax, b.random == null ? RandomGenerator.getDefault() : b.random);
    this.ticker = b.ticker;
    this.coalesce = b.coalesce;
    this.requestTimeout = b.requestTimeout;
    this.idleTimeout = b.idleTimeout;
    this.connectTimeout = b.connectTimeout;
    this.createdNanos = ticker.read();
  }

  /**
   * A builder for a watch of the registry at {@code registry} (e.g. {@code http://127.0.0.1:7070}).
   */
  public static Builder builder(URI registry) {
    return new Builder(registry);
  }

  /**
   * Lists services, endpoints and nodes and starts watching them. The future completes (on the
   * callback executor) with the first complete snapshot; it fails only if the watch is closed
   * first: while the registry is unreachable the watch keeps retrying.
   *
   * @throws IllegalStateException when called twice or after {@link #close()}
   */
  public CompletableFuture<ClusterSnapshot> start() {
    if (closed.get()) {
      throw new IllegalStateException("closed");
    }
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    startedNanos = ticker.read();
    HttpClient http = injectedHttp;
    if (http == null) {
      http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(connectTimeout)
              .build();
      ownedHttp = http;
    }
    ObjectMapper mapper = WatchDecoder.lenientMapper();
    ResourceStream.Settings settings =
        new ResourceStream.Settings(
            http,
            scheduler,
            sync,
            backoff,
            ticker,
            requestTimeout,
            idleTimeout,
            LineSplitter.DEFAULT_MAX_LINE);
    Sink sink = new Sink();
    List<ResourceStream> s = new ArrayList<>();
    for (Kind kind : List.of(Kind.SERVICE, Kind.ENDPOINTS, Kind.NODE)) {
      s.add(
          new ResourceStream(
              kind, collection(kind), new WatchDecoder(mapper, kind), settings, sink));
    }
    streams = List.copyOf(s);
    if (closed.get()) { // close() raced with us and saw no streams
      close();
    }
    streams.forEach(ResourceStream::start);
    return first;
  }

  /** The last snapshot published; null before the first. One volatile read. */
  public ClusterSnapshot current() {
    return current;
  }

  /**
   * Calls {@code listener} with every new snapshot, in order, on the callback executor; when a
   * snapshot exists already, with it first. Calls for one watch never overlap.
   */
  public void addListener(SnapshotListener listener) {
    Objects.requireNonNull(listener, "listener");
    callbacks.execute(
        () -> {
          listeners.add(listener);
          if (lastDelivered != null) {
            notify(listener, lastDelivered);
          }
        });
  }

  /** Stops calling {@code listener}; a call already queued for it may still happen. */
  public void removeListener(SnapshotListener listener) {
    callbacks.execute(() -> listeners.remove(listener));
  }

  /** Whether all three watches are open: the cache is receiving changes as they happen. */
  public boolean connected() {
    List<ResourceStream> s = streams;
    return !s.isEmpty() && s.stream().allMatch(ResourceStream::watching);
  }

  /**
   * The ticker time up to which the cache is known current: the oldest of the three streams' last
   * word from the registry (a list, an event, or a bookmark, which an idle registry sends every ~10
   * s). Compare with the same {@link Ticker}; before the first contact, the time {@link #start()}
   * was called (or the watch was built).
   */
  public long lastSyncNanos() {
    List<ResourceStream> s = streams;
    if (s.isEmpty()) {
      return started.get() ? startedNanos : createdNanos;
    }
    long oldest = Long.MAX_VALUE;
    for (ResourceStream r : s) {
      oldest = Math.min(oldest, r.lastHeardNanos());
    }
    return oldest;
  }

  /** How long ago {@link #lastSyncNanos()} was, by the injected ticker. */
  public Duration staleness() {
    return Duration.ofNanos(Math.max(0, ticker.read() - lastSyncNanos()));
  }

  /** Stops every watch, cancels requests in flight and shuts down what the watch created. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) && streams.isEmpty()) {
      return;
    }
    streams.forEach(ResourceStream::close);
    Future<?> t = flushTimer;
    if (t != null) {
      t.cancel(false);
    }
    first.completeExceptionally(new CancellationException("cluster watch closed"));
    HttpClient http = ownedHttp;
    if (http != null) {
      http.shutdownNow();
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  /** How many list requests the stream of {@code kind} made: 1 + its relists. */
  long lists(Kind kind) {
    return streams.stream().filter(s -> s.kind() == kind).mapToLong(ResourceStream::lists).sum();
  }

  private URI collection(Kind kind) {
    String base = registry.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String scope = namespace != null && kind.namespaced() ? "/namespaces/" + namespace : "";
    return URI.create(base + "/api/v1" + scope + "/" + kind.plural());
  }

  // ---- sync context

  private void armFlush() {
    if (flushArmed || !builder.pending()) {
      return;
    }
    flushArmed = true;
    if (coalesce.isZero()) {
      sync.execute(this::flush);
      return;
    }
    try {
      flushTimer =
          scheduler.schedule(
              () -> sync.execute(this::flush), coalesce.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      flushArmed = false; // shutting down
    }
  }

  private void flush() {
    flushArmed = false;
    if (closed.get()) {
      return;
    }
    builder.build().ifPresent(this::publish);
  }

  private void publish(ClusterSnapshot snapshot) {
    current = snapshot;
    log.debug("published {}", snapshot);
    callbacks.execute(
        () -> {
          lastDelivered = snapshot;
          for (SnapshotListener l : List.copyOf(listeners)) {
            notify(l, snapshot);
          }
          first.complete(snapshot);
        });
  }

  private static void notify(SnapshotListener listener, ClusterSnapshot snapshot) {
    try {
      listener.onSnapshot(snapshot);
    } catch (RuntimeException e) {
      log.error("snapshot listener {} failed on {}", listener, snapshot, e);
    }
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "meridian-cluster-watch");
    t.setDaemon(true);
    return t;
  }

  /** Applies what the streams learn to the builder; runs on sync. */
  private final class Sink implements ResourceStream.Sink {
    @Override
    public void onListed(Kind kind, List<Resource> items, long revision) {
      boolean wasSynced = builder.synced();
      builder.relist(kind, items, revision);
      if (!wasSynced && builder.synced()) {
        flush(); // the first snapshot is not held back by the coalescing window
      } else {
        armFlush();
      }
    }

    @Override
    public void onEvents(Kind kind, List<WatchEvent> events) {
      for (WatchEvent e : events) {
        switch (e) {
          case WatchEvent.Change c when c.deleted() -> builder.delete(c.object());
          case WatchEvent.Change c -> builder.upsert(c.object());
          case WatchEvent.Bookmark b -> builder.bookmark(kind, b.revision());
          default -> {} // streams deliver only changes and bookmarks
        }
      }
      armFlush();
    }

    @Override
    public void onConnectivity(Kind kind, boolean watching) {
      log.debug("{} watch {}", kind.plural(), watching ? "open" : "closed");
    }
  }

  /**
   * Configures a {@link ClusterWatch}. Not thread-safe; {@link #build()} does no I/O and starts no
   * thread.
   */
  public static final class Builder {
    private final URI registry;
    private String namespace;
    private HttpClient http;
    private ScheduledExecutorService scheduler;
    private Executor callbackExecutor;
    private RandomGenerator random;
    private Ticker ticker = Ticker.system();
    private Duration backoffMin = Backoff.DEFAULT_MIN;
    private Duration backoffMax = Backoff.DEFAULT_MAX;
    private Duration coalesce = Duration.ofMillis(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(5);

    private Builder(URI registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      String scheme = registry.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("registry must be an http(s) URI, got " + registry);
      }
    }

    /**
     * The HTTP client to use (its requests are made as HTTP/1.1). Default: one the watch creates in
     * {@link ClusterWatch#start()} and shuts down in {@link ClusterWatch#close()}; an injected one
     * is left open.
     */
    public Builder httpClient(HttpClient v) {
      http = Objects.requireNonNull(v, "httpClient");
      return this;
    }

    /**
     * Runs the watch's timers and its serial sync context; tasks are short and never block. The
     * watch never shuts an injected scheduler down. Default: one daemon thread the watch owns.
     */
    public Builder scheduler(ScheduledExecutorService v) {
      scheduler = Objects.requireNonNull(v, "scheduler");
      return this;
    }

    /** Where listeners and the start future's dependents run (serially). Default: the scheduler. */
    public Builder callbackExecutor(Executor v) {
      callbackExecutor = Objects.requireNonNull(v, "callbackExecutor");
      return this;
    }

    /**
     * The source of backoff jitter, called from the watch's serial context only (so it need not be
     * thread-safe). Default: {@link RandomGenerator#getDefault()}.
     */
    public Builder random(RandomGenerator v) {
      random = Objects.requireNonNull(v, "random");
      return this;
    }

    /** The time source for staleness and the idle timeout. Default: {@link Ticker#system()}. */
    public Builder ticker(Ticker v) {
      ticker = Objects.requireNonNull(v, "ticker");
      return this;
    }

    /**
     * Reconnection delays: jittered exponential from {@code min} up to {@code max} (100 ms .. 5 s).
     */
    public Builder backoff(Duration min, Duration max) {
      new Backoff(min, max, RandomGenerator.getDefault()); // validates
      backoffMin = min;
      backoffMax = max;
      return this;
    }

    /** Events within this window become one snapshot (default 10 ms; zero: one per batch read). */
    public Builder coalesce(Duration v) {
      if (v == null || v.isNegative()) {
        throw new IllegalArgumentException("coalesce must be >= 0, got " + v);
      }
      coalesce = v;
      return this;
    }

    /**
     * Watch services and endpoints of one namespace only (nodes are cluster-wide). Default: all.
     */
    public Builder namespace(String v) {
      namespace = Objects.requireNonNull(v, "namespace");
      return this;
    }

    /** How long a list request may take (default 30 s). */
    public Builder requestTimeout(Duration v) {
      requestTimeout = positive(v, "requestTimeout");
      return this;
    }

    /**
     * A watch that hears nothing, not even a bookmark, for this long is reconnected (default 30 s:
     * three of the registry's 10 s bookmark intervals).
     */
    public Builder idleTimeout(Duration v) {
      idleTimeout = positive(v, "idleTimeout");
      return this;
    }

    /** Connect timeout of the HTTP client the watch creates (default 5 s). */
    public Builder connectTimeout(Duration v) {
      connectTimeout = positive(v, "connectTimeout");
      return this;
    }

    public ClusterWatch build() {
      return new ClusterWatch(this);
    }

    private static Duration positive(Duration v, String name) {
      if (v == null || v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + v);
      }
      return v;
    }
  }
}
