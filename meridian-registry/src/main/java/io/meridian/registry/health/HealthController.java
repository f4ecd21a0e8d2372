package io.meridian.registry.health;

import io.meridian.api.Conditions;
import io.meridian.api.HealthCheck;
import io.meridian.api.Instance;
import io.meridian.api.ObjectMeta;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's active health checks: probes every persistent instance that declares {@code
 * spec.healthCheck} and writes its readiness into {@code status.conditions}.
 *
 * <p>Design note. Each probed instance gets a fixed-rate tick every {@code interval}; the first
 * tick comes after a random delay in {@code [0, interval)} so that a fleet registered at once (or
 * reloaded after a restart) does not probe in lockstep, as Envoy's {@code interval_jitter} and
 * Consul's stagger do. A tick starts a probe only when none is in flight for that instance, so a
 * slow target is never probed twice at once and ticks that find a probe running are skipped, not
 * queued. Results go through {@link HealthState} (rise/fall, first result decides). The controller
 * writes whenever its judgement differs from what the store is believed to hold: the instance's
 * {@code status.conditions} as last seen through {@link #upsert} (absent means no one judged it),
 * replaced by whatever the controller last wrote successfully. That one rule gives the behaviour
 * wanted: a transition writes once; nothing changed writes nothing; a failed write is retried on
 * the next probe result; an instance re-upserted with conditions that disagree (a registry restart,
 * a user PUT that reset status) gets the judgement written again. At most one write per instance is
 * in flight. An instance whose check cannot be run (no such port, no IP address) is judged not
 * ready at once with the reason as its message, and is not probed. Changing the check restarts the
 * schedule; the judgement survives unless what is probed (address, type, path) changed. An interval
 * under {@link #MIN_INTERVAL} (10 ms) is raised to it: validation refuses such values, the floor
 * only keeps a bad record from spinning a scheduler thread.
 *
 * <p>Lifecycle: the constructor does nothing; {@link #start()} starts probing what was upserted
 * (before it, upserts are only recorded); {@link #close()} stops every probe schedule. The injected
 * scheduler, prober and writer are not closed: their owner closes them.
 *
 * <p>Thread-safety: safe from any thread. All mutable state is confined to one {@link
 * SerialExecutor} running on the injected scheduler (which may have many threads): public methods
 * only post tasks to it; ticks, probe results and write results are posted back to it. The random
 * generator is used only there, so it need not be thread-safe. Judgements are published to a
 * concurrent map for {@link #judgement}.
 */
public final class HealthController implements AutoCloseable {

  static final Duration MIN_INTERVAL = Duration.ofMillis(10);

  private static final Logger log = LoggerFactory.getLogger(HealthController.class);

  private final Prober prober;
  private final StatusWriter writer;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final RandomGenerator random;
  private final SerialExecutor serial;

  /** Confined to {@link #serial}. */
  private final Map<Key, ProbedInstance> targets = new HashMap<>();

  /** Confined to {@link #serial}. */
  private boolean started;

  /** Written by {@link #close()}; read anywhere, so that nothing starts after close. */
  private volatile boolean closed;

  /** Written on {@link #serial}, read anywhere. */
  private final ConcurrentMap<Key, View> views = new ConcurrentHashMap<>();

  public HealthController(
      Prober prober,
      StatusWriter writer,
      ScheduledExecutorService scheduler,
      Clock clock,
      RandomGenerator random) {
    this.prober = Objects.requireNonNull(prober, "prober");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.serial = new SerialExecutor(scheduler);
  }

  /** Starts probing every instance upserted so far, and those upserted later. */
  public void start() {
    post(
        () -> {
          if (closed || started) {
            return;
          }
          started = true;
          for (ProbedInstance t : targets.values()) {
            schedule(t);
            reconcile(t);
          }
        });
  }

  /**
   * Starts, reconfigures or stops probing {@code instance}: it is probed when it is persistent
   * ({@code spec.ttl} absent), declares {@code spec.healthCheck} and is not terminating ({@code
   * metadata.deletionTimestamp} absent); otherwise probing it stops. Its {@code status.conditions}
   * tell the controller what the store holds.
   */
  public void upsert(Instance instance) {
    Objects.requireNonNull(instance.metadata(), "metadata");
    Objects.requireNonNull(instance.spec(), "spec");
    post(() -> onUpsert(instance));
  }

  /** Stops probing instance {@code namespace/name} and forgets its judgement. */
  public void remove(String namespace, String name) {
    Key key = new Key(namespace, name);
    post(() -> onRemove(key));
  }

  /**
   * The controller's current judgement of instance {@code namespace/name}: {@link Conditions#READY}
   * or {@link Conditions#NOT_READY}; empty when it is not probed or no probe has answered yet.
   */
  public Optional<Conditions> judgement(String namespace, String name) {
    View view = views.get(new Key(namespace, name));
    return Optional.ofNullable(view == null ? null : view.judgement());
  }

  /** When instance {@code namespace/name} was last probed, by the injected clock. */
  public Optional<Instant> lastProbeTime(String namespace, String name) {
    View view = views.get(new Key(namespace, name));
    return Optional.ofNullable(view == null ? null : view.lastProbeTime());
  }

  /** Stops all probing; probes in flight finish but their results are dropped. Idempotent. */
  @Override
  public void close() {
    closed = true;
    post(
        () -> {
          targets.values().forEach(HealthController::cancel);
          targets.clear();
          views.clear();
        });
  }

  private void onUpsert(Instance instance) {
    if (closed) {
      return;
    }
    Key key = Key.of(instance.metadata());
    if (!probed(instance)) {
      onRemove(key);
      return;
    }
    ProbeTarget next = ProbeTarget.of(instance);
    ProbedInstance t = targets.get(key);
    if (t == null) {
      t = new ProbedInstance(key, next);
      targets.put(key, t);
      if (started) {
        schedule(t);
      }
    } else if (!next.equals(t.target)) {
      reconfigure(t, next);
    }
    t.observed = instance.status() == null ? null : instance.status().conditions();
    publish(t);
    reconcile(t);
  }

  private static boolean probed(Instance instance) {
    return instance.spec().ttl() == null
        && instance.spec().healthCheck() != null
        && instance.metadata().deletionTimestamp() == null;
  }

  private void reconfigure(ProbedInstance t, ProbeTarget next) {
    HealthCheck check = next.check();
    if (t.target.error() == null && next.error() == null && t.target.sameProbe(next)) {
      t.state.setThresholds(check.effectiveRise(), check.effectiveFall());
    } else {
      t.state = new HealthState(check.effectiveRise(), check.effectiveFall());
      t.lastFailure = null;
    }
    t.target = next;
    t.epoch++;
    cancel(t);
    if (started) {
      schedule(t);
    }
  }

  private void onRemove(Key key) {
    ProbedInstance t = targets.remove(key);
    if (t != null) {
      cancel(t);
    }
    views.remove(key);
  }

  private void schedule(ProbedInstance t) {
    if (t.target.error() != null) {
      return;
    }
    long interval =
        Math.max(t.target.check().effectiveInterval().toNanos(), MIN_INTERVAL.toNanos());
    long jitter = random.nextLong(interval);
    long epoch = t.epoch;
    try {
      t.ticks =
          scheduler.scheduleAtFixedRate(
              () -> {
                if (!closed) {
                  post(() -> onTick(t, epoch));
                }
              },
              jitter,
              interval,
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("not probing {}: the scheduler is shut down", t.key);
    }
  }

  private static void cancel(ProbedInstance t) {
    if (t.ticks != null) {
      t.ticks.cancel(false);
      t.ticks = null;
    }
  }

  private void onTick(ProbedInstance t, long epoch) {
    if (closed || t.probing || t.epoch != epoch || targets.get(t.key) != t) {
      return;
    }
    t.probing = true;
    t.lastProbeTime = clock.instant();
    publish(t);
    CompletableFuture<ProbeResult> probe;
    try {
      probe = Objects.requireNonNull(prober.probe(t.target.address(), t.target.check()));
    } catch (RuntimeException e) {
      probe = CompletableFuture.completedFuture(ProbeResult.failed("probe failed to start: " + e));
    }
    probe.whenComplete((result, error) -> post(() -> onResult(t, epoch, result, error)));
  }

  private void onResult(ProbedInstance t, long epoch, ProbeResult result, Throwable error) {
    t.probing = false;
    if (closed || t.epoch != epoch || targets.get(t.key) != t) {
      return;
    }
    if (error != null || result == null) {
      result = ProbeResult.failed("probe failed: " + error);
    }
    if (!result.passed()) {
      t.lastFailure = result.detail();
    }
    if (t.state.record(result.passed())) {
      log.info(
          "instance {} is now {} ({})",
          t.key,
          t.state.ready() ? "ready" : "not ready",
          result.detail());
      publish(t);
    }
    reconcile(t);
  }

  /** Writes the judgement when it differs from what the store is believed to hold. */
  private void reconcile(ProbedInstance t) {
    Conditions judgement = t.judgement();
    if (!started || closed || judgement == null || t.writing || judgement.equals(t.observed)) {
      return;
    }
    String message = judgement.ready() ? null : t.failureMessage();
    t.writing = true;
    CompletableFuture<?> write;
    try {
      write =
          Objects.requireNonNull(writer.write(t.key.namespace(), t.key.name(), judgement, message));
    } catch (RuntimeException e) {
      write = CompletableFuture.failedFuture(e);
    }
    write.whenComplete((ignored, error) -> post(() -> onWritten(t, judgement, error)));
  }

  private void onWritten(ProbedInstance t, Conditions written, Throwable error) {
    t.writing = false;
    if (closed || targets.get(t.key) != t) {
      return;
    }
    if (error != null) {
      log.warn("writing the status of {} failed; retrying on the next probe result", t.key, error);
      return;
    }
    t.observed = written;
    reconcile(t);
  }

  private void publish(ProbedInstance t) {
    views.put(t.key, new View(t.judgement(), t.lastProbeTime));
  }

  /** Posts to the serial executor; once the scheduler is shut down nothing runs any more. */
  private void post(Runnable task) {
    try {
      serial.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("health controller task dropped: the scheduler is shut down");
    }
  }

  /** An instance's namespace (absent: {@code default}) and name. */
  record Key(String namespace, String name) {
    Key {
      namespace = namespace == null ? "default" : namespace;
      Objects.requireNonNull(name, "name");
    }

    static Key of(ObjectMeta metadata) {
      return new Key(metadata.namespace(), metadata.name());
    }

    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  /** What {@link #judgement} and {@link #lastProbeTime} read. */
  private record View(Conditions judgement, Instant lastProbeTime) {}
}
