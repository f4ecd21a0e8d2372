package io.meridian.balancer.outlier;

import io.meridian.balancer.Outcome;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passive health checking: decides, from the outcomes of real requests, which backends to eject
 * from balancing for a while.
 *
 * <h2>Design note</h2>
 *
 * <p>This is Envoy's outlier detection (<a
 * href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier">architecture
 * overview</a>, <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/outlier_detection.proto">config</a>)
 * with two of its detectors:
 *
 * <ul>
 *   <li><b>Consecutive failures</b> run inline: the reporting thread bumps a per-backend atomic
 *       streak; the report that reaches the threshold returns {@code true} and its owner calls
 *       {@link #onConsecutiveFailures} on its serial executor, which ejects and resets the streak.
 *       A success resets the streak.
 *   <li><b>Success rate</b> runs every {@code interval}: among non-ejected backends with at least
 *       {@code successRateRequestVolume} requests in the interval, if there are at least {@code
 *       successRateMinimumHosts}, those whose success rate (in %) is below {@code mean -
 *       successRateStdevFactor * stdev} (population standard deviation) are ejected, worst first so
 *       that the {@code maxEjectionPercent} cap keeps the worst out. Envoy's example: rates {50,
 *       100, 100, 100, 100} have mean 90, stdev 20, threshold 52; the 50 % backend goes.
 * </ul>
 *
 * <p><b>Ejection time.</b> Each backend has a multiplier, raised on each ejection (while {@code
 * multiplier * base < max + base}) and lowered by one for every interval the backend then spends
 * un-ejected; an ejection lasts {@code min(base * multiplier, max)}: 30 s, 60 s, 90 s ... 300 s
 * with the defaults. A backend that keeps failing stays out longer; one that recovered is forgiven
 * gradually. Unlike Envoy, which un-ejects at the next interval sweep, the owner is told exactly
 * when the next un-ejection is due ({@link #nanosUntilNextUnejection}) and calls {@link
 * #unejectDue} then. Un-ejection resets the streaks, as in Envoy, so a few stale failures do not
 * eject again at once.
 *
 * <p><b>Max ejection percent.</b> An ejection is refused when it would make the ejected share
 * exceed the cap: {@code 100 * (ejected + 1) / total > maxEjectionPercent}. This is Envoy's current
 * rule, without its opt-in {@code always_eject_one_host} (older Envoy, and grpc-java, allowed one
 * ejection past the cap); with the default 10 %, a set of fewer than 10 backends is never ejected
 * from. Backends removed by an update do not un-eject the others, as in Envoy, so after a shrink
 * the share may stand above the cap until ejections expire; the panic threshold guards that case.
 *
 * <p><b>Why the defaults</b> (all Envoy's): 5 consecutive failures, because at a healthy 1 % error
 * rate five in a row happen once in 10^10 requests, while a dead backend is caught within five; a
 * 10 s interval with a volume of 100 requests, so that a backend serving 10 requests a second is
 * judged, at 1 % resolution, every sweep; at least 5 such backends, because a mean and deviation
 * over fewer say little; a factor of 1.9, which flags a backend about two standard deviations below
 * its peers (a tail that, for a normal spread, holds about 3 % of a healthy pack: hence the volume
 * and minimum-hosts guards and the cap, which bound the cost of a false positive); a 30 s base
 * ejection, long enough for a restart or a GC storm to pass, growing to a 300 s cap so a backend
 * that keeps failing costs little but is retried every five minutes; and 10 %, because outlier
 * detection is for outliers: when more of a fleet fails at once the cause is rarely the backends
 * themselves, and ejecting them would only pile the load on the rest.
 *
 * <p>Not implemented from Envoy: enforcement percentages other than 0/100, failure-percentage
 * ejection, split local/external origin success rates, ejection jitter.
 *
 * <p>Thread-safety: {@link #record} is safe from any thread, lock-free and allocation-free (one map
 * lookup on an immutable map read through a volatile field, then atomic counters). Every other
 * method must be called by the owner's serial executor only; the {@code monitors} map is written
 * there and published through its volatile field, the ejection state of a monitor is confined to
 * that executor.
 */
public final class OutlierDetector {

  private final OutlierDetectionConfig config;
  private final long intervalNanos;
  private final long baseNanos;
  private final long maxNanos;

  /** Immutable; replaced by {@link #reconcile} on the serial executor. */
  private volatile Map<String, Monitor> monitors = Map.of();

  /** Backends ejected now. Serial executor only. */
  private int ejected;

  public OutlierDetector(OutlierDetectionConfig config) {
    this.config = config;
    this.intervalNanos = config.interval().toNanos();
    this.baseNanos = config.baseEjectionTime().toNanos();
    this.maxNanos = config.maxEjectionTime().toNanos();
  }

  public OutlierDetectionConfig config() {
    return config;
  }

  /**
   * Records how a request to backend {@code key} ended. Any thread; lock-free, allocation-free.
   *
   * @return true when this outcome completed a streak of consecutive failures: the caller must then
   *     call {@link #onConsecutiveFailures} on the serial executor. Unknown keys are ignored.
   */
  public boolean record(String key, Outcome outcome) {
    Monitor m = monitors.get(key);
    if (m == null) {
      return false;
    }
    return switch (outcome) {
      case SUCCESS -> {
        m.success();
        yield false;
      }
      case FAILURE -> m.failure(false);
      case CONNECT_FAILURE -> m.failure(true);
      case TIMEOUT -> config.timeoutIsFailure() && m.failure(false);
    };
  }

  /**
   * Makes the monitored set exactly {@code keys}: survivors keep their state (streaks, ejection,
   * multiplier), new keys start clean, removed keys are forgotten. Serial executor only.
   */
  public void reconcile(Collection<String> keys) {
    Map<String, Monitor> old = monitors;
    Map<String, Monitor> next = HashMap.newHashMap(keys.size());
    int nowEjected = 0;
    for (String key : keys) {
      Monitor m = old.get(key);
      if (m == null) {
        m = new Monitor(key, config);
      }
      if (m.ejected) {
        nowEjected++;
      }
      next.put(key, m);
    }
    monitors = Map.copyOf(next);
    ejected = nowEjected;
  }

  /**
   * Acts on a completed failure streak reported by {@link #record}: ejects the backend if the cap
   * allows. Serial executor only.
   *
   * @return true when the backend was ejected now
   */
  public boolean onConsecutiveFailures(String key, long nowNanos) {
    Monitor m = monitors.get(key);
    if (m == null || m.ejected) {
      return false; // removed meanwhile, or already out: in-flight requests finishing
    }
    boolean done = tryEject(m, nowNanos);
    m.resetStreaks();
    return done;
  }

  /**
   * The periodic sweep: success-rate ejection over the interval that just ended, due un-ejections,
   * and the decay of ejection multipliers. Serial executor only.
   *
   * @return true when the ejected set changed
   */
  public boolean onInterval(long nowNanos) {
    boolean changed = unejectDue(nowNanos);
    List<Monitor> valid = new ArrayList<>();
    for (Monitor m : monitors.values()) {
      int requests = m.requests.getAndSet(0);
      int successes = Math.min(m.successes.getAndSet(0), requests);
      if (!m.ejected && requests >= config.successRateRequestVolume()) {
        m.successRate = 100.0 * successes / requests;
        valid.add(m);
      }
    }
    if (config.successRateEjection()
        && !valid.isEmpty()
        && valid.size() >= config.successRateMinimumHosts()) {
      double sum = 0;
      for (Monitor m : valid) {
        sum += m.successRate;
      }
      double mean = sum / valid.size();
      double variance = 0;
      for (Monitor m : valid) {
        variance += (m.successRate - mean) * (m.successRate - mean);
      }
      double threshold =
          mean - config.successRateStdevFactor() * Math.sqrt(variance / valid.size());
      // worst first; ties by key, so that a capped sweep does not depend on map order
      valid.sort(Comparator.<Monitor>comparingDouble(m -> m.successRate).thenComparing(m -> m.key));
      for (Monitor m : valid) {
        if (!(m.successRate < threshold)) {
          break;
        }
        changed |= tryEject(m, nowNanos);
      }
    }
    for (Monitor m : monitors.values()) {
      if (!m.ejected
          && m.multiplier > 0
          && m.everUnejected
          && nowNanos - m.unejectedAt >= intervalNanos) {
        m.multiplier--;
      }
    }
    return changed;
  }

  /**
   * Returns to service every backend whose ejection time has passed. Serial executor only.
   *
   * @return true when any backend came back
   */
  public boolean unejectDue(long nowNanos) {
    if (ejected == 0) {
      return false;
    }
    boolean changed = false;
    for (Monitor m : monitors.values()) {
      if (m.ejected && nowNanos - m.ejectedAt >= m.ejectionNanos) {
        m.ejected = false;
        m.everUnejected = true;
        m.unejectedAt = nowNanos;
        m.resetStreaks();
        ejected--;
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Nanoseconds from {@code nowNanos} until the next ejection ends (0 when one is overdue), or
   * {@link Long#MAX_VALUE} when nothing is ejected. Serial executor only.
   */
  public long nanosUntilNextUnejection(long nowNanos) {
    if (ejected == 0) {
      return Long.MAX_VALUE;
    }
    long next = Long.MAX_VALUE;
    for (Monitor m : monitors.values()) {
      if (m.ejected) {
        next = Math.min(next, Math.max(0, m.ejectionNanos - (nowNanos - m.ejectedAt)));
      }
    }
    return next;
  }

  /** Whether {@code key} is ejected now. Serial executor only. */
  public boolean isEjected(String key) {
    Monitor m = monitors.get(key);
    return m != null && m.ejected;
  }

  /** How many backends are ejected now. Serial executor only. */
  public int ejectedCount() {
    return ejected;
  }

  private boolean tryEject(Monitor m, long nowNanos) {
    int total = monitors.size();
    if (m.ejected || 100L * (ejected + 1) > (long) config.maxEjectionPercent() * total) {
      return false;
    }
    if (m.multiplier * baseNanos < maxNanos + baseNanos) {
      m.multiplier++;
    }
    m.ejected = true;
    m.ejectedAt = nowNanos;
    m.ejectionNanos = Math.min(baseNanos * m.multiplier, maxNanos);
    ejected++;
    return true;
  }

  /**
   * One backend's counters. The atomics are written by reporting threads; the plain fields belong
   * to the serial executor.
   */
  private static final class Monitor {
    final String key;
    private final int failureThreshold;
    private final int connectThreshold;
    private final boolean countVolume;

    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger connectFailures = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger successes = new AtomicInteger();

    boolean ejected;
    long ejectedAt;
    long ejectionNanos;
    int multiplier;
    boolean everUnejected;
    long unejectedAt;
    double successRate;

    Monitor(String key, OutlierDetectionConfig config) {
      this.key = key;
      this.failureThreshold = config.consecutiveFailures();
      this.connectThreshold = config.consecutiveConnectFailures();
      this.countVolume = config.successRateEjection();
    }

    void success() {
      if (countVolume) {
        requests.incrementAndGet();
        successes.incrementAndGet();
      }
      // Read before writing: a healthy backend's streak stays 0 and its cache line clean.
      if (failures.get() != 0) {
        failures.set(0);
      }
      if (connectFailures.get() != 0) {
        connectFailures.set(0);
      }
    }

    boolean failure(boolean connect) {
      if (countVolume) {
        requests.incrementAndGet();
      }
      boolean reached = failureThreshold > 0 && failures.incrementAndGet() == failureThreshold;
      if (connect) {
        reached |= connectThreshold > 0 && connectFailures.incrementAndGet() == connectThreshold;
      } else if (connectFailures.get() != 0) {
        connectFailures.set(0); // it answered: reachable again
      }
      return reached;
    }

    void resetStreaks() {
      failures.set(0);
      connectFailures.set(0);
    }
  }
}
