package io.meridian.balancer.panic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PanicConfigTest {

  @Test
  void panicsOnlyBelowTheThreshold() {
    assertThat(PanicConfig.DEFAULT.panics(3, 4)).isFalse();
    assertThat(PanicConfig.DEFAULT.panics(2, 4)).isFalse(); // exactly 50 %: not below
    assertThat(PanicConfig.DEFAULT.panics(1, 4)).isTrue();
    assertThat(PanicConfig.DEFAULT.panics(0, 4)).isTrue();
  }

  @Test
  void nothingToBalanceIsNoPanic() {
    assertThat(PanicConfig.DEFAULT.panics(0, 0)).isFalse();
  }

  @Test
  void zeroNeverPanicsAndAHundredPanicsOnAnyLoss() {
    assertThat(PanicConfig.DISABLED.panics(0, 10)).isFalse();
    assertThat(new PanicConfig(100).panics(9, 10)).isTrue();
    assertThat(new PanicConfig(100).panics(10, 10)).isFalse();
  }

  @Test
  void badThresholdsAreRejectedNamingTheField() {
    assertThatThrownBy(() -> new PanicConfig(-1)).hasMessageStartingWith("thresholdPercent");
    assertThatThrownBy(() -> new PanicConfig(100.5)).hasMessageStartingWith("thresholdPercent");
    assertThatThrownBy(() -> new PanicConfig(Double.NaN))
        .hasMessageStartingWith("thresholdPercent");
  }
}
