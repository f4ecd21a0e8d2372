package io.meridian.balancer.panic;

/**
 * The panic threshold: when too few backends are healthy, ignore health and balance over all of
 * them.
 *
 * <h2>Design note</h2>
 *
 * <p>Envoy's <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/panic_threshold">healthy
 * panic threshold</a>: if fewer than {@code thresholdPercent} % of the backends in scope are
 * healthy, the balancer is in panic and picks among all of them, healthy or not. The reasoning:
 * when most of a fleet looks unhealthy, the likelier story is a bad health signal (an outlier
 * detector fooled by a downstream outage, a flapping check) or a fleet so degraded that
 * concentrating all traffic on the few survivors would knock them over too; spreading the load
 * keeps some requests succeeding.
 *
 * <p>The default, 50, is Envoy's: at half the fleet gone, doubling the load on the rest is about
 * what a fleet provisioned with headroom can absorb; past that, cascading overload is the bigger
 * risk. 0 disables panic (an all-unhealthy set then has nothing to pick). The comparison is strict
 * ({@code healthy < threshold% of total}): at exactly 50 % healthy there is no panic, as in Envoy.
 *
 * <p>Thread-safety: immutable.
 *
 * @param thresholdPercent 0..100; panic when the healthy share is below it
 */
public record PanicConfig(double thresholdPercent) {

  /** Envoy's default, 50 %. */
  public static final PanicConfig DEFAULT = new PanicConfig(50);

  /** Never panic: unhealthy backends are never picked. */
  public static final PanicConfig DISABLED = new PanicConfig(0);

  public PanicConfig {
    if (!(thresholdPercent >= 0 && thresholdPercent <= 100)) {
      throw new IllegalArgumentException(
          "thresholdPercent must be 0..100, got " + thresholdPercent);
    }
  }

  /** Whether {@code healthy} healthy backends out of {@code total} are too few: panic. */
  public boolean panics(int healthy, int total) {
    return total > 0 && 100.0 * healthy < thresholdPercent * total;
  }
}
