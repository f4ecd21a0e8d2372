package io.meridian.registry.health;

import io.meridian.api.Conditions;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * What the {@link HealthController} knows of one probed instance.
 *
 * <p>Thread-safety: not thread-safe; confined to the controller's serial executor.
 */
final class ProbedInstance {

  final HealthController.Key key;
  ProbeTarget target;
  HealthState state;

  /** What the store is believed to hold; null when no one has judged the instance. */
  Conditions observed;

  /** The detail of the latest failed probe, for {@code status.message}. */
  String lastFailure;

  Instant lastProbeTime;
  boolean probing;
  boolean writing;

  /** Bumped on every reconfiguration, so that ticks and results of an old schedule are dropped. */
  long epoch;

  ScheduledFuture<?> ticks;

  ProbedInstance(HealthController.Key key, ProbeTarget target) {
    this.key = key;
    this.target = target;
    this.state = new HealthState(target.check().effectiveRise(), target.check().effectiveFall());
  }

  /** READY or NOT_READY; null while no probe has answered. */
  Conditions judgement() {
    if (target.error() != null) {
      return Conditions.NOT_READY;
    }
    if (!state.judged()) {
      return null;
    }
    return state.ready() ? Conditions.READY : Conditions.NOT_READY;
  }

  /** Why it is not ready: the check cannot run, or the latest failed probe. */
  String failureMessage() {
    return target.error() != null ? target.error() : lastFailure;
  }
}
