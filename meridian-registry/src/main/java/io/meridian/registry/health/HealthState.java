package io.meridian.registry.health;

/**
 * Readiness of one probed instance, judged from consecutive probe results.
 *
 * <p>Design note. The rise/fall hysteresis of HAProxy ({@code rise}/{@code fall} on {@code server
 * ... check}) and Envoy ({@code healthy_threshold}/{@code unhealthy_threshold}): a ready instance
 * becomes not ready after {@code fall} consecutive failures, a not-ready one becomes ready after
 * {@code rise} consecutive passes, and any opposite result resets the streak, so one flapping probe
 * never flaps the endpoint. A new instance starts <em>not ready</em>, as a Kubernetes pod's
 * readiness does, because treating the unknown as ready sends traffic to something no one has seen
 * answer. To avoid making every new instance wait {@code rise * interval}, the very first result
 * decides on its own (Envoy's "first check after the host is added"): a pass makes it ready at
 * once, a failure confirms it not ready. After that first result, rise and fall apply. Before any
 * result the state is unjudged ({@link #judged()} is false): the controller writes nothing.
 * Thresholds below 1 are taken as 1 (validation refuses them; this only keeps a bad record sane).
 *
 * <p>Thread-safety: not thread-safe; the controller confines each instance to its serial executor.
 * No I/O, no time: a pure function of the results fed to it.
 */
public final class HealthState {

  private int rise;
  private int fall;
  private boolean judged;
  private boolean ready;

  /** Consecutive results that disagree with {@link #ready}; reset by any agreeing result. */
  private int streak;

  public HealthState(int rise, int fall) {
    setThresholds(rise, fall);
  }

  /** Changes rise and fall, keeping readiness and the current streak. */
  public void setThresholds(int rise, int fall) {
    this.rise = Math.max(1, rise);
    this.fall = Math.max(1, fall);
  }

  /**
   * Records one probe result.
   *
   * @return true when this result changed readiness (or judged a never-judged instance)
   */
  public boolean record(boolean passed) {
    if (!judged) {
      judged = true;
      ready = passed;
      streak = 0;
      return true;
    }
    if (passed == ready) {
      streak = 0;
      return false;
    }
    streak++;
    if (streak >= (ready ? fall : rise)) {
      ready = passed;
      streak = 0;
      return true;
    }
    return false;
  }

  /** Whether any result has been recorded yet. */
  public boolean judged() {
    return judged;
  }

  /** Whether the instance is judged ready; false before the first result. */
  public boolean ready() {
    return ready;
  }

  @Override
  public String toString() {
    String readiness = judged ? (ready ? "ready" : "not ready") : "unjudged";
    return readiness + " streak=" + streak + " rise=" + rise + " fall=" + fall;
  }
}
