package io.meridian.balancer.slowstart;

import io.meridian.balancer.Backend;

/**
 * Slow start: a backend that just joined gets a fraction of its weight that grows over a window, so
 * a cold process (empty caches, JIT not warm, pools not filled) is not handed a full share at once.
 *
 * <h2>Design note</h2>
 *
 * <p>Envoy's <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/slow_start">slow
 * start mode</a>: during the first {@code window} after joining, a backend's weight is {@code
 * weight * max(minWeightPercent / 100, (t / window)^(1 / aggression))}. It acts through weights, so
 * it shapes traffic only under weight-aware policies (Envoy supports it for round robin and least
 * request); under a hash policy each step would remap keys, so do not combine the two.
 *
 * <p><b>Weights are integers</b> ({@link Backend#weight()}), so while slow start is configured the
 * balancer multiplies every weight by {@link #WEIGHT_SCALE} = 100 and scales the ramping ones by
 * their factor: 1 % resolution for a weight-1 backend, enough for the 10 % floor and 10 % steps,
 * and the model's largest weight (1000) becomes 100 000, well inside {@link Backend#MAX_WEIGHT}.
 *
 * <p><b>Steps.</b> A picker is immutable, so a ramp is a sequence of pickers. The weight is
 * recomputed on a grid of {@link #STEPS} = 10 steps per window, at least {@link #MIN_STEP_NANOS} =
 * 100 ms apart: ten steps keep a linear ramp within 10 percentage points of the exact curve, and
 * cost ten picker rebuilds per window (a Maglev table, the dearest, takes about a millisecond); the
 * 100 ms floor caps rebuilds at ten a second for very short windows. The grid is shared by all
 * backends (it starts at the balancer's first update, not at each join), so however many backends
 * ramp at once there is at most one rebuild per step, and a rebuild for another reason between two
 * steps computes the same weights and is dropped as a no-op. A backend therefore ramps on the grid
 * point at or before "now" and reaches full weight at most one step after its window ends.
 *
 * <p>Thread-safety: immutable.
 */
public final class SlowStart {

  /** Every weight is multiplied by this while slow start is configured. */
  public static final int WEIGHT_SCALE = 100;

  /** Weight recomputations per window. */
  public static final int STEPS = 10;

  /** The shortest step: 100 ms. */
  public static final long MIN_STEP_NANOS = 100_000_000L;

  private final SlowStartConfig config;
  private final long windowNanos;
  private final long stepNanos;
  private final double minFactor;
  private final double exponent;

  /**
   * @throws IllegalArgumentException when {@code config} is off (zero window)
   */
  public SlowStart(SlowStartConfig config) {
    if (!config.enabled()) {
      throw new IllegalArgumentException("window must be positive for slow start, got 0");
    }
    this.config = config;
    this.windowNanos = config.window().toNanos();
    this.stepNanos = Math.max(windowNanos / STEPS, MIN_STEP_NANOS);
    this.minFactor = config.minWeightPercent() / 100.0;
    this.exponent = 1.0 / config.aggression();
  }

  public SlowStartConfig config() {
    return config;
  }

  /** The time between two weight recomputations. */
  public long stepNanos() {
    return stepNanos;
  }

  /** {@code nowNanos} rounded down to the step grid that started at {@code originNanos}. */
  public long onGrid(long originNanos, long nowNanos) {
    return originNanos + Math.floorDiv(nowNanos - originNanos, stepNanos) * stepNanos;
  }

  /** Nanoseconds from {@code nowNanos} to the next grid point (1..step). */
  public long nanosToNextStep(long originNanos, long nowNanos) {
    return stepNanos - Math.floorMod(nowNanos - originNanos, stepNanos);
  }

  /** Whether a backend that joined at {@code joinedNanos} is still ramping at grid time. */
  public boolean ramping(long joinedNanos, long gridNanos) {
    return gridNanos - joinedNanos < windowNanos;
  }

  /** The ramp factor, in [minWeightPercent/100, 1], {@code elapsedNanos} after joining. */
  public double factor(long elapsedNanos) {
    if (elapsedNanos >= windowNanos) {
      return 1.0;
    }
    double t = Math.max(0, elapsedNanos) / (double) windowNanos;
    return Math.max(minFactor, Math.pow(t, exponent));
  }

  /** The scaled weight of a backend of {@code weight} that joined at {@code joinedNanos}. */
  public int weight(int weight, long joinedNanos, long gridNanos) {
    double f = factor(gridNanos - joinedNanos);
    if (f >= 1.0) {
      return fullWeight(weight);
    }
    return (int) Math.max(1, Math.min(Backend.MAX_WEIGHT, Math.round(weight * WEIGHT_SCALE * f)));
  }

  /**
   * The scaled weight of a backend that is not ramping: {@code weight * WEIGHT_SCALE}, capped at
   * {@link Backend#MAX_WEIGHT} (only weights above the model's 1..1000 reach the cap).
   */
  public static int fullWeight(int weight) {
    return (int) Math.min(Backend.MAX_WEIGHT, (long) weight * WEIGHT_SCALE);
  }
}
