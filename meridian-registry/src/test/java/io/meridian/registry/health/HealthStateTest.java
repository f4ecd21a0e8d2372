package io.meridian.registry.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthStateTest {

  /** Feeds {@code results} ('P' pass, 'F' fail) and returns readiness after each, 'R' or 'n'. */
  private static String run(HealthState state, String results) {
    StringBuilder out = new StringBuilder();
    for (char c : results.toCharArray()) {
      state.record(c == 'P');
      out.append(state.ready() ? 'R' : 'n');
    }
    return out.toString();
  }

  @Test
  void startsUnjudgedAndNotReady() {
    HealthState state = new HealthState(2, 3);
    assertThat(state.judged()).isFalse();
    assertThat(state.ready()).isFalse();
  }

  @Test
  void followsRiseTwoFallThreeExactly() {
    // P -> ready; F,F -> still ready; F -> not ready; P -> not ready; P -> ready.
    assertThat(run(new HealthState(2, 3), "PFFFPP")).isEqualTo("RRRnnR");
  }

  @Test
  void firstPassMakesANewInstanceReadyAtOnce() {
    HealthState state = new HealthState(5, 3);
    assertThat(state.record(true)).isTrue();
    assertThat(state.judged()).isTrue();
    assertThat(state.ready()).isTrue();
  }

  @Test
  void firstFailureJudgesNotReadyThenRiseApplies() {
    HealthState state = new HealthState(2, 3);
    assertThat(state.record(false)).isTrue();
    assertThat(state.judged()).isTrue();
    assertThat(run(state, "PPFPP")).isEqualTo("nRRRR");
  }

  @Test
  void anOppositeResultResetsTheStreak() {
    // Failures separated by a pass never reach fall 3; passes separated by a failure never rise 2.
    assertThat(run(new HealthState(2, 3), "PFFPFFPFF")).isEqualTo("RRRRRRRRR");
    assertThat(run(new HealthState(2, 3), "PFFFPFPFPP")).isEqualTo("RRRnnnnnnR");
  }

  @Test
  void recordReportsExactlyTheTransitions() {
    HealthState state = new HealthState(2, 3);
    List<Boolean> changed = new ArrayList<>();
    for (char c : "PPFFFFPPP".toCharArray()) {
      changed.add(state.record(c == 'P'));
    }
    assertThat(changed).containsExactly(true, false, false, false, true, false, false, true, false);
  }

  @Test
  void riseAndFallOfOneFollowEveryResult() {
    assertThat(run(new HealthState(1, 1), "PFPFFPP")).isEqualTo("RnRnnRR");
  }

  @Test
  void thresholdsBelowOneCountAsOne() {
    assertThat(run(new HealthState(0, -2), "PFP")).isEqualTo("RnR");
  }

  @Test
  void newThresholdsKeepReadinessAndStreak() {
    HealthState state = new HealthState(2, 3);
    run(state, "PFF");
    state.setThresholds(2, 2);
    assertThat(state.judged()).isTrue();
    assertThat(state.ready()).isTrue();
    // The streak of two failures survives: the next failure is past the new fall of 2.
    assertThat(state.record(false)).isTrue();
    assertThat(state.ready()).isFalse();
  }
}
