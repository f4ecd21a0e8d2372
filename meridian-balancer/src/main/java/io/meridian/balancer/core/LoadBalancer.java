package io.meridian.balancer.core;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import io.meridian.balancer.outlier.OutlierDetector;
import io.meridian.balancer.panic.PanicConfig;
import io.meridian.balancer.slowstart.SlowStart;
import io.meridian.balancer.slowstart.SlowStartConfig;
import io.meridian.balancer.zone.ZoneConfig;
import io.meridian.balancer.zone.ZonePreference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The mutable owner of one upstream's balancing: takes endpoint sets and request outcomes, and
 * publishes immutable {@link Picker}s built by a {@link Policy} over the backends that health,
 * zone, panic and slow start leave, with the weights slow start gives them (grpc-java's {@code
 * LoadBalancer} to the policy's {@code SubchannelPicker}).
 *
 * <h2>Design note</h2>
 *
 * <p><b>Composition.</b> Every picker is a pure function of the current backends, the outlier
 * detector's ejected set and the slow-start grid time, applied in this order:
 *
 * <ol>
 *   <li><b>health</b> ({@link OutlierDetector}): a backend is healthy unless ejected;
 *   <li><b>zone</b> ({@link ZonePreference}): the scope is the local zone while enough of it is
 *       healthy, else every zone;
 *   <li><b>panic</b> ({@link PanicConfig}): within the scope, the healthy backends, unless fewer
 *       than the threshold are healthy, in which case all of the scope;
 *   <li><b>slow start</b> ({@link SlowStart}): each chosen backend's weight, ramped if it joined
 *       recently;
 *   <li><b>policy</b>: {@link Policy#picker} over that list, in the caller's order.
 * </ol>
 *
 * Health comes first because every later step judges by it. Zone precedes panic so that a sick
 * local zone falls back to healthy remote backends instead of panicking over its own sick ones, and
 * a healthy local zone is used even while remote zones are sick; panic is then judged on the scope
 * actually used. (Envoy judges panic over the whole cluster first and skips zone routing in panic;
 * with all-or-nothing zone preference, judging it on the scope is the consistent choice.) Weights
 * come last because they shape traffic within whatever set was chosen, and an ejected backend
 * picked in panic keeps its slow-start weight. Each step is a decorator over plain lists, in its
 * own package with its own config; nothing inherits from anything.
 *
 * <p><b>Publication.</b> A new picker is built only when the chosen list differs from the last one
 * (by backend identity, which includes the weight); otherwise the update is a no-op and nothing is
 * published or notified, so a round-robin position survives a resent snapshot. The picker is
 * published through one volatile field, then listeners are told, on the serial executor.
 *
 * <p><b>Reconciliation by key.</b> A backend whose key was in the previous set keeps its outlier
 * state (streaks, ejection, multiplier) and its slow-start clock; if the new {@code Backend} has
 * the same value, weight and zone, the previous instance is kept, so its in-flight count survives.
 * A key that left and comes back later is new. Backends of the first non-empty update do not slow
 * start (ramping a whole fleet at once only delays it); later newcomers do.
 *
 * <p><b>Slow start and identity.</b> While slow start is configured, pickers hold weight-scaled
 * copies of the caller's backends (same value, key and zone; see {@link SlowStart#WEIGHT_SCALE}). A
 * backend's copy is cached and stays the same object while its weight does; a ramping backend gets
 * a new copy per step. Copies share the caller's in-flight count ({@link Backend#withWeight}), so
 * least request sees a request however it was started. Report outcomes with whichever instance was
 * picked: {@link #report} matches by key.
 *
 * <p><b>Timers.</b> Nothing starts in the constructor. The first update arms the outlier interval
 * (every {@code interval}); one wake-up timer is kept armed at the earliest of the next un-ejection
 * and, while a backend ramps, the next slow-start step. Both run on the serial executor and read
 * time from the injected ticker, never the clock.
 *
 * <p>Thread-safety: every public method may be called from any thread. {@link #picker()} is one
 * volatile read. {@link #report} updates the backend's atomic counters on the calling thread and
 * posts to the serial executor only when a failure streak completes. {@link #update} and {@link
 * #close} post to the serial executor and return. All other state ({@code members}, {@code order},
 * {@code published}, the timers) is confined to the serial executor; {@code picker} and {@code
 * closed} are volatile; {@code listeners} is a copy-on-write list.
 *
 * @param <E> the caller's endpoint type
 */
public final class LoadBalancer<E> implements AutoCloseable {

  private final Policy policy;
  private final SerialExecutor serial;
  private final LongSupplier nanoTime;
  private final RandomSource random;
  private final OutlierDetector outliers; // null: outlier detection off
  private final PanicConfig panic;
  private final SlowStart slowStart; // null: slow start off
  private final ZoneConfig zone;
  private final List<Consumer<? super Picker<E>>> listeners = new CopyOnWriteArrayList<>();

  private volatile Picker<E> picker = Picker.empty();
  private volatile boolean closed;

  // Confined to the serial executor.
  private Map<String, Member<E>> members = Map.of();
  private List<Member<E>> order = List.of();
  private List<Backend<E>> published = List.of();
  private boolean started;
  private boolean seenBackends;
  private long gridOrigin;
  private ScheduledFuture<?> intervalTimer;
  private ScheduledFuture<?> wakeTimer;
  private long wakeAt;
  private long wakeGeneration;

  private LoadBalancer(Builder b) {
    this.policy = b.policy;
    this.serial = new SerialExecutor(b.scheduler);
    this.nanoTime = b.nanoTime;
    this.random = b.random;
    this.outliers = b.outlierDetection == null ? null : new OutlierDetector(b.outlierDetection);
    this.panic = b.panic;
    this.slowStart = b.slowStart.enabled() ? new SlowStart(b.slowStart) : null;
    this.zone = b.zone;
  }

  /**
   * A builder for a balancer running {@code policy}, with its serial work and timers on {@code
   * scheduler} (shared freely: the balancer serializes its own tasks).
   */
  public static Builder builder(Policy policy, ScheduledExecutorService scheduler) {
    return new Builder(policy, scheduler);
  }

  /**
   * Replaces the endpoint set (keys must be unique). Returns at once; the set is reconciled and a
   * new picker published, if anything changed, on the serial executor. Ignored after {@link
   * #close}.
   *
   * @throws IllegalArgumentException naming a duplicate key
   * @throws NullPointerException for a null list or element
   */
  public void update(List<Backend<E>> backends) {
    List<Backend<E>> copy = List.copyOf(backends);
    Set<String> keys = HashSet.newHashSet(copy.size());
    for (Backend<E> b : copy) {
      if (!keys.add(b.key())) {
        throw new IllegalArgumentException("duplicate backend key \"" + b.key() + "\"");
      }
    }
    if (!closed) {
      serial.execute(() -> apply(copy));
    }
  }

  /**
   * Reports how a request to {@code backend} (as picked, or any backend with its key) ended. Cheap,
   * lock-free and allocation-free except when a failure streak completes. Unknown keys and reports
   * without outlier detection are ignored.
   *
   * @param latency how long the request took, or null; reserved: outlier detection, like Envoy's,
   *     judges outcomes, not latency
   */
  public void report(Backend<E> backend, Outcome outcome, Duration latency) {
    OutlierDetector d = outliers;
    if (d == null || closed) {
      return;
    }
    if (d.record(backend.key(), outcome)) {
      String key = backend.key();
      serial.execute(() -> onConsecutiveFailures(key));
    }
  }

  /** The current picker: {@link Picker#empty()} before the first update. One volatile read. */
  public Picker<E> picker() {
    return picker;
  }

  /** Calls {@code listener} on the serial executor with each picker published from now on. */
  public void addListener(Consumer<? super Picker<E>> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Stops the timers and ignores further updates and reports; the last picker stays readable.
   * Idempotent; returns at once, the timers are cancelled on the serial executor.
   */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      serial.execute(this::shutdown);
    }
  }

  private void apply(List<Backend<E>> backends) {
    if (closed) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (!started) {
      started = true;
      gridOrigin = now;
      if (outliers != null) {
        scheduleInterval();
      }
    }
    boolean rampNewcomers = slowStart != null && seenBackends;
    Map<String, Member<E>> nextMembers = HashMap.newHashMap(backends.size());
    List<Member<E>> nextOrder = new ArrayList<>(backends.size());
    for (Backend<E> b : backends) {
      Member<E> m = members.get(b.key());
      if (m == null) {
        m = new Member<>(b, now, rampNewcomers);
      } else {
        m.refresh(b);
      }
      nextMembers.put(b.key(), m);
      nextOrder.add(m);
    }
    members = nextMembers;
    order = nextOrder;
    seenBackends |= !backends.isEmpty();
    if (outliers != null) {
      outliers.reconcile(nextMembers.keySet());
    }
    rebuild(now);
  }

  private void onConsecutiveFailures(String key) {
    if (closed) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (outliers.onConsecutiveFailures(key, now)) {
      rebuild(now);
    }
  }

  private void scheduleInterval() {
    intervalTimer = serial.schedule(this::onInterval, outliers.config().interval().toNanos());
  }

  private void onInterval() {
    if (closed) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (outliers.onInterval(now)) {
      rebuild(now);
    }
    scheduleInterval();
  }

  private void onWake(long generation) {
    if (closed || generation != wakeGeneration) {
      return; // superseded by a later schedule
    }
    wakeTimer = null;
    long now = nanoTime.getAsLong();
    if (outliers != null) {
      outliers.unejectDue(now);
    }
    rebuild(now);
  }

  /** Chooses the backends, and publishes a picker over them if they changed. */
  private void rebuild(long now) {
    List<Backend<E>> chosen = choose(now);
    if (!sameBackends(chosen, published)) {
      Picker<E> next = chosen.isEmpty() ? Picker.empty() : policy.picker(chosen, random);
      published = chosen;
      picker = next;
      for (Consumer<? super Picker<E>> listener : listeners) {
        try {
          listener.accept(next);
        } catch (RuntimeException e) {
          Thread thread = Thread.currentThread();
          thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
        }
      }
    }
    scheduleWake(now);
  }

  /** Health, then zone, then panic, then slow-start weights: see the design note. */
  private List<Backend<E>> choose(long now) {
    List<Backend<E>> all = new ArrayList<>(order.size());
    for (Member<E> m : order) {
      all.add(m.backend);
    }
    OutlierDetector d = outliers;
    Predicate<Backend<E>> healthy = d == null ? b -> true : b -> !d.isEjected(b.key());
    List<Backend<E>> scope = ZonePreference.scope(zone, all, healthy);
    int healthyInScope = 0;
    for (Backend<E> b : scope) {
      if (healthy.test(b)) {
        healthyInScope++;
      }
    }
    boolean panicking = panic.panics(healthyInScope, scope.size());
    long grid = slowStart == null ? 0 : slowStart.onGrid(gridOrigin, now);
    List<Backend<E>> chosen = new ArrayList<>(scope.size());
    for (Backend<E> b : scope) {
      if (panicking || healthy.test(b)) {
        chosen.add(weighted(members.get(b.key()), grid));
      }
    }
    return chosen;
  }

  private Backend<E> weighted(Member<E> m, long grid) {
    if (slowStart == null) {
      return m.backend;
    }
    int weight = m.backend.weight();
    if (m.ramping && slowStart.ramping(m.joinedAt, grid)) {
      return m.withWeight(slowStart.weight(weight, m.joinedAt, grid));
    }
    m.ramping = false;
    return m.withWeight(SlowStart.fullWeight(weight));
  }

  /** Keeps one timer armed at the next un-ejection or slow-start step, whichever comes first. */
  private void scheduleWake(long now) {
    long delay = outliers == null ? Long.MAX_VALUE : outliers.nanosUntilNextUnejection(now);
    if (slowStart != null && anyRamping(now)) {
      delay = Math.min(delay, slowStart.nanosToNextStep(gridOrigin, now));
    }
    if (delay == Long.MAX_VALUE) {
      cancelWake();
      return;
    }
    long at = now + delay;
    if (wakeTimer != null && wakeAt - at <= 0) {
      return; // the armed timer comes first; it will schedule the next
    }
    cancelWake();
    long generation = ++wakeGeneration;
    wakeAt = at;
    wakeTimer = serial.schedule(() -> onWake(generation), delay);
  }

  private boolean anyRamping(long now) {
    long grid = slowStart.onGrid(gridOrigin, now);
    boolean any = false;
    for (Member<E> m : order) {
      if (m.ramping && !slowStart.ramping(m.joinedAt, grid)) {
        m.ramping = false;
      }
      any |= m.ramping;
    }
    return any;
  }

  private void cancelWake() {
    if (wakeTimer != null) {
      wakeTimer.cancel(false);
      wakeTimer = null;
      wakeGeneration++;
    }
  }

  private void shutdown() {
    cancelWake();
    if (intervalTimer != null) {
      intervalTimer.cancel(false);
      intervalTimer = null;
    }
    listeners.clear();
  }

  private static <E> boolean sameBackends(List<Backend<E>> a, List<Backend<E>> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** One backend's place in the balancer, surviving updates by key. Serial executor only. */
  private static final class Member<E> {
    private final long joinedAt;
    private Backend<E> backend;
    private boolean ramping;
    private Backend<E> scaled;

    Member(Backend<E> backend, long joinedAt, boolean ramping) {
      this.backend = backend;
      this.joinedAt = joinedAt;
      this.ramping = ramping;
    }

    /** Takes the new instance unless it is equivalent to the current one. */
    void refresh(Backend<E> next) {
      if (next != backend
          && !(next.weight() == backend.weight()
              && next.zone().equals(backend.zone())
              && Objects.equals(next.value(), backend.value()))) {
        backend = next;
        scaled = null;
      }
    }

    /** This backend with {@code weight}: the caller's instance when equal, else a cached copy. */
    Backend<E> withWeight(int weight) {
      if (weight == backend.weight()) {
        return backend;
      }
      if (scaled == null || scaled.weight() != weight) {
        scaled = backend.withWeight(weight);
      }
      return scaled;
    }
  }

  /**
   * Builds a {@link LoadBalancer}. Decorators not configured are off, except the panic threshold,
   * on at Envoy's 50 % as in Envoy. Building starts nothing.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {
    private final Policy policy;
    private final ScheduledExecutorService scheduler;
    private LongSupplier nanoTime = System::nanoTime;
    private RandomSource random = RandomSource.threadLocal();
    private OutlierDetectionConfig outlierDetection;
    private PanicConfig panic = PanicConfig.DEFAULT;
    private SlowStartConfig slowStart = SlowStartConfig.OFF;
    private ZoneConfig zone = new ZoneConfig("", 70, 1);

    private Builder(Policy policy, ScheduledExecutorService scheduler) {
      this.policy = Objects.requireNonNull(policy, "policy");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** The monotonic clock in nanoseconds; default {@link System#nanoTime()}. */
    public Builder ticker(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "ticker");
      return this;
    }

    /** Randomness handed to the policy's pickers; default {@link RandomSource#threadLocal()}. */
    public Builder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Turns outlier detection on with {@code config}; off by default. */
    public Builder outlierDetection(OutlierDetectionConfig config) {
      this.outlierDetection = Objects.requireNonNull(config, "outlierDetection");
      return this;
    }

    /** The panic threshold; default {@link PanicConfig#DEFAULT} (50 %). */
    public Builder panic(PanicConfig config) {
      this.panic = Objects.requireNonNull(config, "panic");
      return this;
    }

    /** Slow start; off by default (and with a zero window). */
    public Builder slowStart(SlowStartConfig config) {
      this.slowStart = Objects.requireNonNull(config, "slowStart");
      return this;
    }

    /** Zone preference; off by default (and with an empty local zone). */
    public Builder zone(ZoneConfig config) {
      this.zone = Objects.requireNonNull(config, "zone");
      return this;
    }

    public <E> LoadBalancer<E> build() {
      return new LoadBalancer<>(this);
    }
  }
}
